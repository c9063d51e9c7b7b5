SELECT 1; /* outer /* inner */ still a comment; SELECT 2;
