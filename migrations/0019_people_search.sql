-- People search and follow suggestions (owned by features/accounts; docs/adr/0027-people-search-and-suggestions.md).
--
-- Search matches names with pg_trgm (typo tolerant: "jonh" finds "John"); its GIN trigram indexes
-- serve the word-similarity operator (<%) on display_name and username. Queries shorter than a
-- trigram go to the prefix indexes instead. users.city (0001) is the "same city" of suggestions;
-- its index is on the case-folded name, as both sides are compared.
-- suggestion_dismissals is social's table (suggestions live there; see the ADR), created here so
-- that one migration carries the feature.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX users_display_name_trgm ON users USING gin (display_name gin_trgm_ops);
CREATE INDEX users_username_trgm ON users USING gin (username gin_trgm_ops);
CREATE INDEX users_display_name_prefix ON users (lower(display_name) text_pattern_ops);
CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops) WHERE username IS NOT NULL;
CREATE INDEX users_city ON users (lower(city), id) WHERE city IS NOT NULL AND city <> '';
