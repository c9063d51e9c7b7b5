from django.db import models


class Order(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE)
    total_cents = models.BigIntegerField()
    note = models.TextField(default="")
