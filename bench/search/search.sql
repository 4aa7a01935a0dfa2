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
ANALYZE users;

CREATE TEMP TABLE bench_params AS SELECT :users AS users, :queries AS queries, :lim AS lim;

-- The statement of features/accounts/src/repository.cpp (kSearchUsers); keep the two in step.
CREATE FUNCTION pg_temp.search_sql() RETURNS text LANGUAGE sql AS $f$ SELECT
    'SELECT id, username, display_name, city, rank FROM (SELECT id, username, display_name, city, '
    '(CASE WHEN lower(display_name) LIKE $2 OR lower(username) LIKE $2 OR lower(display_name) LIKE ''% '' || $2 '
    'THEN 2000000 ELSE 0 END) + round(1000000 * greatest(word_similarity($1, display_name), '
    'coalesce(word_similarity($1, username), 0)))::bigint AS rank FROM users WHERE '
    '($1 <% display_name OR $1 <% username)'
    ' AND id <> $3 AND id <> ALL ($4::bigint[])) hits '
    'WHERE NOT $6 OR rank < $7 OR (rank = $7 AND id > $8) ORDER BY rank DESC, id LIMIT $5' $f$;

-- A query with one typo: a letter dropped, doubled, swapped with the next or replaced.
CREATE FUNCTION pg_temp.typo(s text, r double precision) RETURNS text LANGUAGE sql AS $f$
    SELECT CASE (floor(r * 4))::int
        WHEN 0 THEN overlay(s PLACING '' FROM p FOR 1)
        WHEN 1 THEN overlay(s PLACING substr(s, p, 1) || substr(s, p, 1) FROM p FOR 1)
        WHEN 2 THEN overlay(s PLACING substr(s, p + 1, 1) || substr(s, p, 1) FROM p FOR 2)
        ELSE overlay(s PLACING chr(97 + (floor(r * 1000))::int % 26) FROM p FOR 1) END
    FROM (SELECT 2 + (floor(r * 7919))::int % greatest(length(s) - 2, 1) AS p) x $f$;

-- 1. The plan: the trigram indexes (a bitmap OR of the two GIN scans), never a scan of users.
DO $$
DECLARE
    plan text := '';
    line text;
BEGIN
    PERFORM set_config('pg_trgm.word_similarity_threshold', '0.35', true);
    FOR line IN EXECUTE 'EXPLAIN ' || replace(replace(replace(replace(replace(replace(replace(replace(
            pg_temp.search_sql(), '$1', '''jonh barling'''), '$2', '''jonh barling%'''), '$3', '0'),
            '$4', '''{}'''), '$5', '21'), '$6', 'false'), '$7', '0'), '$8', '0') LOOP
        plan := plan || line || E'\n';
    END LOOP;
    IF plan NOT LIKE '%users_display_name_trgm%' OR plan NOT LIKE '%users_username_trgm%' OR plan LIKE '%Seq Scan%' THEN
        RAISE EXCEPTION 'search does not use the trigram indexes:%', E'\n' || plan;
    END IF;
    RAISE NOTICE 'plan uses users_display_name_trgm and users_username_trgm (no Seq Scan)';
END $$;

-- 2. Latency: QUERIES random typo'd queries, each a first page of LIMIT, as the server runs it
-- (one transaction setting the threshold, then the statement).
CREATE TEMP TABLE search_ms (kind text, q text, hits int, ms double precision);
DO $$
DECLARE
    p record;
    u record;
    q text;
    kind text;
    r double precision;
    t0 timestamptz;
    n int;
BEGIN
    SELECT * INTO p FROM bench_params;
    PERFORM set_config('pg_trgm.word_similarity_threshold', '0.35', true);
    FOR i IN 1..p.queries LOOP
        SELECT display_name INTO u FROM users WHERE id = 1 + (hashint4(i * 31) & 2147483647) % p.users;
        r := ((hashint4(i * 131) & 2147483647) % 100000) / 100000.0;
        kind := (ARRAY['full name', 'surname', 'first name'])[1 + i % 3];
        q := lower(CASE kind WHEN 'full name' THEN u.display_name
                             WHEN 'surname' THEN split_part(u.display_name, ' ', 2)
                             ELSE split_part(u.display_name, ' ', 1) END);
        q := pg_temp.typo(q, r);
        t0 := clock_timestamp();
        EXECUTE 'SELECT count(*) FROM (' || pg_temp.search_sql() || ') s' INTO n
            USING q, replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%', 0::bigint,
                  '{}'::bigint[], p.lim + 1, false, 0::bigint, 0::bigint;
        INSERT INTO search_ms VALUES (kind, q, n, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
END $$;

SELECT coalesce(kind, 'all') AS kind, count(*) AS queries,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p50_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p99_ms,
       round(max(ms)::numeric, 2) AS max_ms,
       round(avg(hits)::numeric, 1) AS avg_hits,
       sum(CASE WHEN hits = 0 THEN 1 ELSE 0 END) AS no_hit
FROM search_ms GROUP BY ROLLUP (kind) ORDER BY kind NULLS LAST;
