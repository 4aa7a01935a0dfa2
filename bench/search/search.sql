-- Seeds and measures; see run.sh. Prints one line per figure (NOTICE).
\set ON_ERROR_STOP 1
SET client_min_messages = notice;

-- Names as people have them: 120 first names × 400 surnames (many namesakes, as in a real
-- directory), a username for 70 % of users, a city for 60 %.
CREATE TEMP TABLE firsts AS SELECT row_number() OVER () AS n, f FROM unnest(string_to_array(
 'James,John,Robert,Michael,William,David,Richard,Joseph,Thomas,Charles,Christopher,Daniel,Matthew,Anthony,Mark,'
 'Donald,Steven,Paul,Andrew,Joshua,Kenneth,Kevin,Brian,George,Timothy,Ronald,Edward,Jason,Jeffrey,Ryan,Jacob,Gary,'
 'Nicholas,Eric,Jonathan,Stephen,Larry,Justin,Scott,Brandon,Benjamin,Samuel,Gregory,Alexander,Frank,Patrick,'
 'Raymond,Jack,Dennis,Jerry,Tyler,Aaron,Jose,Adam,Nathan,Henry,Douglas,Zachary,Peter,Kyle,Mary,Patricia,Jennifer,'
 'Linda,Elizabeth,Barbara,Susan,Jessica,Sarah,Karen,Lisa,Nancy,Betty,Margaret,Sandra,Ashley,Kimberly,Emily,Donna,'
 'Michelle,Carol,Amanda,Dorothy,Melissa,Deborah,Stephanie,Rebecca,Sharon,Laura,Cynthia,Kathleen,Amy,Angela,'
 'Shirley,Anna,Brenda,Pamela,Emma,Nicole,Helen,Samantha,Katherine,Christine,Debra,Rachel,Carolyn,Janet,Catherine,'
 'Maria,Heather,Diane,Ruth,Julie,Olivia,Joyce,Virginia,Victoria,Kelly,Lauren,Christina', ',')) f;
CREATE TEMP TABLE lasts AS SELECT row_number() OVER () AS n, l FROM (
    SELECT initcap(a || b || c) AS l
    FROM unnest(string_to_array('bar,cal,dun,far,gal,har,kel,lan,mor,nor,pem,ros,sal,tur,wes,ash,bro,cro,fen,hol', ',')) a,
         unnest(string_to_array('ling,ford,wick,more,ton,ley,ham,by,well,stead', ',')) b,
         unnest(string_to_array(',e', ',')) c) s;
INSERT INTO users (display_name, username, city)
SELECT f.f || ' ' || l.l,
       CASE WHEN g % 10 < 7 THEN lower(f.f) || '.' || lower(l.l) || g END,
       CASE WHEN g % 10 < 6 THEN (ARRAY['Leeds', 'York', 'Bath', 'Zurich', 'Lyon', 'Oslo'])[1 + g % 6] END
FROM generate_series(1, :users) g
JOIN firsts f ON f.n = 1 + (hashint4(g) & 2147483647) % (SELECT count(*) FROM firsts)
JOIN lasts l ON l.n = 1 + (hashint4(g + 7919) & 2147483647) % (SELECT count(*) FROM lasts);
-- Autovacuum does this after a bulk load; the visibility map lets the walk over user_search_words
-- read its primary key alone.
VACUUM ANALYZE users, search_words, user_search_words;
SELECT count(*) AS dictionary_words, sum(users) AS word_holdings FROM search_words;

CREATE TEMP TABLE bench_params AS
SELECT :users AS users, :queries AS queries, :lim AS lim, :target_ms AS target_ms, :'statement'::text AS statement,
       :'settings'::text AS settings;

-- The statement of features/accounts/src/repository.cpp (kSearchUsers), as run.sh read it.
CREATE FUNCTION pg_temp.search_sql() RETURNS text LANGUAGE sql AS $f$ SELECT statement FROM bench_params $f$;
-- The statement with its parameters written in, for EXPLAIN: q, viewer 0, no one left out, `lim`
-- rows, no cursor.
CREATE FUNCTION pg_temp.explain_sql(q text, lim int) RETURNS text LANGUAGE sql AS $f$
    SELECT 'EXPLAIN ' || replace(replace(replace(replace(replace(replace(replace(pg_temp.search_sql(),
        '$1', quote_literal(q)), '$2', '0'), '$3', '''{}'''), '$4', lim::text), '$5', 'false'), '$6', '0'), '$7', '0') $f$;

-- A query with one typo: a letter dropped, doubled, swapped with the next or replaced.
CREATE FUNCTION pg_temp.typo(s text, r double precision) RETURNS text LANGUAGE sql AS $f$
    SELECT CASE (floor(r * 4))::int
        WHEN 0 THEN overlay(s PLACING '' FROM p FOR 1)
        WHEN 1 THEN overlay(s PLACING substr(s, p, 1) || substr(s, p, 1) FROM p FOR 1)
        WHEN 2 THEN overlay(s PLACING substr(s, p + 1, 1) || substr(s, p, 1) FROM p FOR 2)
        ELSE overlay(s PLACING chr(97 + (floor(r * 1000))::int % 26) FROM p FOR 1) END
    FROM (SELECT 2 + (floor(r * 7919))::int % greatest(length(s) - 2, 1) AS p) x $f$;

-- 1. The plan, with the server's settings: every user reached through user_search_words' primary
-- key, users read by id for the page only, never a scan of either; one word reads at most a page of
-- each matching word's users from the index alone; the dictionary's trigram index finds the
-- matching words.
DO $$
DECLARE
    plan text;
    line text;
    q text;
BEGIN
    EXECUTE (SELECT settings FROM bench_params);
    FOREACH q IN ARRAY ARRAY['jonh', 'jonh barlng'] LOOP
        plan := '';
        FOR line IN EXECUTE pg_temp.explain_sql(q, 21) LOOP
            plan := plan || line || E'\n';
        END LOOP;
        IF plan NOT LIKE '%user_search_words_pkey%' OR plan NOT LIKE '%users_pkey%' OR plan NOT LIKE '%search_words_trgm%'
           OR plan ~ 'Seq Scan on (users|user_search_words)'
           OR (q = 'jonh' AND plan NOT LIKE '%Index Only Scan using user_search_words_pkey%') THEN
            RAISE EXCEPTION 'search for "%" does not use the dictionary''s indexes:%', q, E'\n' || plan;
        END IF;
    END LOOP;
    RAISE NOTICE 'plan: user_search_words_pkey (one word: a page per word, index only), users_pkey, search_words_trgm; no scan of users';
END $$;

-- The statement as a prepared one, like the server's (cached per connection): the body of a PL/pgSQL
-- function, whose plan cache chooses between custom and generic plans as a prepared statement does.
DO $$
BEGIN
    EXECUTE format($body$
        CREATE FUNCTION pg_temp.search(text, bigint, bigint[], integer, boolean, bigint, bigint)
        RETURNS TABLE (id bigint, username text, display_name text, city text, rank bigint)
        LANGUAGE plpgsql AS $fn$
        #variable_conflict use_column
        BEGIN
            RETURN QUERY %s;
        END $fn$ $body$, pg_temp.search_sql());
END $$;

-- 2. Latency: QUERIES random typo'd queries, each a first page of LIMIT, as the server runs it (the
-- threshold and jit set for the transaction, then the statement), twice: prepared, as the server
-- does, and planned afresh each time (pessimistic by the planning time).
CREATE TEMP TABLE search_ms (mode text, kind text, q text, hits int, ms double precision, intended boolean);
DO $$
DECLARE
    p record;
    u record;
    q text;
    kind text;
    r double precision;
    t0 timestamptz;
    n int;
    orig text;
    names text[];
BEGIN
    SELECT * INTO p FROM bench_params;
    EXECUTE (SELECT settings FROM bench_params);
    FOR i IN 1..p.queries LOOP
        SELECT display_name INTO u FROM users WHERE id = 1 + (hashint4(i * 31) & 2147483647) % p.users;
        r := ((hashint4(i * 131) & 2147483647) % 100000) / 100000.0;
        kind := (ARRAY['full name', 'surname', 'first name'])[1 + i % 3];
        orig := lower(CASE kind WHEN 'full name' THEN u.display_name
                                WHEN 'surname' THEN split_part(u.display_name, ' ', 2)
                                ELSE split_part(u.display_name, ' ', 1) END);
        q := pg_temp.typo(orig, r);
        t0 := clock_timestamp();
        SELECT count(*), array_agg(lower(s.display_name)) INTO n, names
        FROM pg_temp.search(q, 0::bigint, '{}'::bigint[], p.lim + 1, false, 0::bigint, 0::bigint) s;
        INSERT INTO search_ms VALUES ('prepared', kind, q, n, extract(epoch FROM clock_timestamp() - t0) * 1000,
            EXISTS (SELECT 1 FROM unnest(names) x WHERE ' ' || x || ' ' LIKE '% ' || orig || ' %'));
        t0 := clock_timestamp();
        EXECUTE 'SELECT count(*) FROM (' || pg_temp.search_sql() || ') s' INTO n
            USING q, 0::bigint, '{}'::bigint[], p.lim + 1, false, 0::bigint, 0::bigint;
        INSERT INTO search_ms VALUES ('planned', kind, q, n, extract(epoch FROM clock_timestamp() - t0) * 1000, NULL);
    END LOOP;
END $$;

-- intended_on_page: queries whose first page holds a user with the name the typo was made from.
SELECT mode, coalesce(kind, 'all') AS kind, count(*) AS queries,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p50_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p99_ms,
       round(max(ms)::numeric, 2) AS max_ms,
       round(avg(hits)::numeric, 1) AS avg_hits,
       sum(CASE WHEN hits = 0 THEN 1 ELSE 0 END) AS no_hit,
       sum(CASE WHEN intended THEN 1 ELSE 0 END) AS intended_on_page
FROM search_ms GROUP BY mode, ROLLUP (kind) ORDER BY mode DESC, kind NULLS LAST;

SELECT format('people search p99 %s ms over %s queries, prepared as the server runs it (target <= %s ms): %s',
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2), count(*), max(p.target_ms),
              CASE WHEN percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) <= max(p.target_ms) THEN 'met' ELSE 'NOT MET' END)
       AS target
FROM search_ms, bench_params p WHERE mode = 'prepared';
