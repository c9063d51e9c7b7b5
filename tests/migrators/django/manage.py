#!/usr/bin/env python3
"""The project's manage.py, as `django-admin startproject` writes it, trimmed: `python3 manage.py migrate`."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
