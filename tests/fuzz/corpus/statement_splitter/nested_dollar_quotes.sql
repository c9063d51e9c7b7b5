CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $outer$
BEGIN
  RETURN $inner$ ; not the end $inner$ || $$;$$;
END;
$outer$;
SELECT $tag$ $notag$ ; $tag$, $1, a$b FROM t;
