-- placeholder until the PostgreSQL baseline schema lands (issue 6)
SELECT 1;
