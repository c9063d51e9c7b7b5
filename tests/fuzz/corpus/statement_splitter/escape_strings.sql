SELECT E'back\\slash \' quote; still', B'1010', X'ff', U&'d\0061t;a', N'x';
SELECT 'a' 'b';
