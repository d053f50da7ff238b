-- A monitoring source's account has no mail address (an empty one): nothing is ever mailed to it,
-- and no mail or sign-in finds it by address. Only real addresses are unique.
DROP INDEX people_email_key;
CREATE UNIQUE INDEX people_email_key ON people (lower(email)) WHERE email <> '';
-- the demo's monitoring source, seeded before with an address it never read
UPDATE people SET email = '' WHERE email = 'demo.monitoring@guichet.example';
