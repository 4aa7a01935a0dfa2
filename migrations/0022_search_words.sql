-- People search's word dictionary (owned by features/accounts; docs/adr/0027-people-search-and-suggestions.md).
--
-- Trigram matching over users read the posting lists of every trigram of the query, so one common
-- first name fetched thousands of rows. Names repeat: 100k users hold a few thousand distinct words.
-- search_words is that dictionary (each word with the number of searchable users holding it), small
-- enough that matching a typo'd word against its trigram index costs well under a millisecond;
-- user_search_words maps each word back to its users (its primary key serves word → users in order).
-- A user's words are the letter runs of the lower-cased display name and username; a suspended user
-- has none, so search never reaches them.
--
-- Triggers on users keep both right in the writing transaction whatever the writer (sign-up, profile
-- change, suspension, account deletion, demo data, a test's INSERT): statement-level with transition
-- tables, so a bulk INSERT of 100k users costs one set-based pass, not 100k row triggers. Dictionary
-- counts change in word order, so two transactions touching the same words lock them in one order.

-- The trigram and prefix indexes of 0019 on users served the statement this replaces; nothing else
-- reads them, and every write of users paid for them.
DROP INDEX users_display_name_trgm, users_username_trgm, users_display_name_prefix, users_username_prefix;

-- A user's words, as search splits a query too: the letter runs of the lower-cased text (digits
-- and punctuation separate words), each once.
CREATE FUNCTION search_words_of(display_name text, username text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT w COLLATE "C"), '{}')
    FROM regexp_split_to_table(lower(coalesce(display_name, '') || ' ' || coalesce(username, '')), '[^[:alpha:]]+') w
    WHERE w <> ''
$$;

CREATE TABLE search_words (
    word  text COLLATE "C" PRIMARY KEY,
    users integer NOT NULL
);
-- The typo'd query word against the dictionary (<%, word similarity); the primary key (C collation)
-- serves prefixes (LIKE 'jo%').
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- words repeats all the user's words in every row of theirs, so that search, walking one word's
-- users in id order through the primary key alone, sees whether a user also holds a better-matching
-- word (and shows up there instead) without another lookup.
CREATE TABLE user_search_words (
    word    text COLLATE "C" NOT NULL,
    user_id bigint NOT NULL,
    words   text[] COLLATE "C" NOT NULL,
    PRIMARY KEY (word, user_id) INCLUDE (words)
);

-- A statement's change: `gone` the searchable rows before it, `came` those after it (id and words).
-- Every pair of a changed user is replaced; the dictionary's counts move by the difference.
CREATE FUNCTION search_words_apply(gone_ids bigint[], gone_words text[], came_ids bigint[], came_words text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    emptied text[];
BEGIN
    DELETE FROM user_search_words s USING unnest(gone_words, gone_ids) AS g(word, user_id)
    WHERE s.word = g.word AND s.user_id = g.user_id;
    INSERT INTO user_search_words (word, user_id, words)
    SELECT w, c.id, c.words
    FROM (SELECT id, array_agg(word ORDER BY word) AS words
          FROM unnest(came_words, came_ids) AS p(word, id) GROUP BY id) c, unnest(c.words) w;
    WITH delta AS (
        SELECT word, sum(d)::integer AS d
        FROM (SELECT w AS word, 1 AS d FROM unnest(came_words) w
              UNION ALL
              SELECT w, -1 FROM unnest(gone_words) w) x
        GROUP BY word HAVING sum(d) <> 0),
    counted AS (
        INSERT INTO search_words AS s (word, users)
        SELECT word, d FROM delta ORDER BY word
        ON CONFLICT (word) DO UPDATE SET users = s.users + excluded.users
        RETURNING word, users)
    SELECT array_agg(word) INTO emptied FROM counted WHERE users <= 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM search_words WHERE word = ANY (emptied) AND users <= 0;
    END IF;
END $$;

-- The rows a statement inserted, changed or deleted; a suspended user has no words.
CREATE FUNCTION search_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gi bigint[];
    gw text[];
    ci bigint[];
    cw text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.id), array_agg(w) INTO ci, cw
        FROM new_users n, unnest(search_words_of(n.display_name, n.username)) w WHERE n.suspended_at IS NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(o.id), array_agg(w) INTO gi, gw
        FROM old_users o, unnest(search_words_of(o.display_name, o.username)) w WHERE o.suspended_at IS NULL;
    ELSE
        -- Only rows whose words or standing changed: most updates of users touch neither.
        WITH changed AS (
            SELECT o.id,
                   CASE WHEN o.suspended_at IS NULL THEN search_words_of(o.display_name, o.username) END AS was,
                   CASE WHEN n.suspended_at IS NULL THEN search_words_of(n.display_name, n.username) END AS now
            FROM old_users o JOIN new_users n ON n.id = o.id
            WHERE o.display_name IS DISTINCT FROM n.display_name OR o.username IS DISTINCT FROM n.username
               OR (o.suspended_at IS NULL) <> (n.suspended_at IS NULL))
        SELECT (SELECT array_agg(id) FROM changed, unnest(was) w), (SELECT array_agg(w) FROM changed, unnest(was) w),
               (SELECT array_agg(id) FROM changed, unnest(now) w), (SELECT array_agg(w) FROM changed, unnest(now) w)
        INTO gi, gw, ci, cw;
    END IF;
    IF gi IS NOT NULL OR ci IS NOT NULL THEN
        PERFORM search_words_apply(gi, gw, ci, cw);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER users_search_words_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_users FOR EACH STATEMENT EXECUTE FUNCTION search_words_sync();
CREATE TRIGGER users_search_words_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users FOR EACH STATEMENT EXECUTE FUNCTION search_words_sync();
CREATE TRIGGER users_search_words_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_users FOR EACH STATEMENT EXECUTE FUNCTION search_words_sync();

CREATE FUNCTION search_words_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_words, user_search_words;
    RETURN NULL;
END $$;
CREATE TRIGGER users_search_words_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_clear();

-- The users there already.
SELECT search_words_apply(NULL, NULL, array_agg(u.id), array_agg(w))
FROM users u, unnest(search_words_of(u.display_name, u.username)) w WHERE u.suspended_at IS NULL;
ANALYZE search_words;
ANALYZE user_search_words;
