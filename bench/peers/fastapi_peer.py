"""The specification's own stack as a reference peer for `make bench`: FastAPI + uvicorn + asyncpg.

It does the same work per request as `strava1` on the benchmarked routes, against the same database:

  GET /healthz  -> {"status":"ok"}
  GET /v1/feed  -> the same token and session check, then the home feed's page as strava1 reads it
                   (features/social/src/feed_repository.cpp, kHome: the reader's feed_items rows and,
                   for each wide author they follow, that author's newest feed_authored items, and
                   for each club they belong to that club's newest feed_club_items, minus muted
                   authors, 31 rows), the page's activities with their owners and the reader's
                   relation to each (follows both ways, blocks) in one more statement, their kudos
                   and comment counts and the reader's kudos in one more, visibility decided as
                   strava1's reader does, and the items as JSON with the summary fields.
  GET /v1/me    -> verify the bearer JWT (ES256 with strava1's own signing key, iss/aud/exp),
                   look up the session row (auth_sessions.revoked_at by the `sid` claim), then
                   SELECT the user's row by `sub` and return it as JSON.

Like strava1 (features/accounts: session_cache_ttl, 1 s), each worker remembers a session's state
for --session-cache-ttl seconds, so a revocation takes effect within that time on both servers.

Run with Debian's interpreter (/usr/bin/python3):

  fastapi_peer.py --database-url=postgresql://... --key-file=DATA_DIR/keys/jwt-es256.pem \
                  --port-file=FILE [--workers=2] [--pool-size=8] [--session-cache-ttl=1.0]

It binds 127.0.0.1 on a free port and writes that port to --port-file once it listens.
"""

import argparse
import datetime
import decimal
import os
import sys
import time

import asyncpg
import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ISSUER = "strava1-local"
AUDIENCE = "strava1"
# Columns never sent to a client (the peer answers with the row like strava1 answers with a profile).
SECRET_COLUMN_MARKERS = ("password", "secret", "hash")

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
_state = {}
_sessions = {}  # session id -> (monotonic time checked, revoked?)


def _load_public_key(path):
    with open(path, "rb") as f:
        pem = f.read()
    if b"PRIVATE KEY" in pem:
        return load_pem_private_key(pem, password=None).public_key()
    return load_pem_public_key(pem)


def _problem(status, title):
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status},
        status_code=status,
        media_type="application/problem+json",
    )


def _json_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    return value


@app.on_event("startup")
async def _startup():
    _state["key"] = _load_public_key(os.environ["PEER_KEY_FILE"])
    _state["session_ttl"] = float(os.environ.get("PEER_SESSION_CACHE_TTL", "1.0"))
    size = int(os.environ.get("PEER_POOL_SIZE", "8"))
    _state["pool"] = await asyncpg.create_pool(
        os.environ["PEER_DATABASE_URL"], min_size=size, max_size=size
    )


@app.on_event("shutdown")
async def _shutdown():
    pool = _state.pop("pool", None)
    if pool is not None:
        await pool.close()


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.get("/v1/me")
async def me(request: Request):
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _problem(401, "Unauthorized")
    try:
        claims = jwt.decode(
            token,
            _state["key"],
            algorithms=["ES256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        user_id = int(claims["sub"])
        session_id = claims.get("sid")
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return _problem(401, "Unauthorized")
    async with _state["pool"].acquire() as conn:
        if session_id is not None:
            now = time.monotonic()
            cached = _sessions.get(session_id)
            if cached is None or now - cached[0] >= _state["session_ttl"]:
                session = await conn.fetchrow(
                    "SELECT revoked_at FROM auth_sessions WHERE id = $1", _as_id(session_id)
                )
                if len(_sessions) > 100000:
                    _sessions.clear()
                cached = (now, session is None or session["revoked_at"] is not None)
                _sessions[session_id] = cached
            if cached[1]:
                return _problem(401, "Unauthorized")
        row = await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
    if row is None:
        return _problem(401, "Unauthorized")
    return {
        k: _json_value(v)
        for k, v in row.items()
        if not any(marker in k for marker in SECRET_COLUMN_MARKERS)
    }


# The home query of features/social/src/feed_repository.cpp (kHome), verbatim in its semantics and its
# parameters: $1 the reader, $2..$4 the cursor (NULL: the first page), $5 the rows to read, $6 the
# reader's clubs (CLUBS_SQL).
_AFTER = ("($2::bigint IS NULL OR ({x}.at, {x}.kind, {x}.item_id) < "
          "(timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::smallint, $4::bigint))")
HOME_SQL = f"""
SELECT u.at, u.kind, u.item_id, u.author_id FROM (
  (SELECT i.at, i.kind, i.item_id, i.author_id FROM feed_items i WHERE i.user_id = $1 AND {_AFTER.format(x="i")}
   ORDER BY i.at DESC, i.kind DESC, i.item_id DESC LIMIT $5)
  UNION
  (SELECT s.at, s.kind, s.item_id, s.author_id FROM follows f
   JOIN feed_wide_authors w ON w.author_id = f.followee_id
   CROSS JOIN LATERAL (SELECT a.at, a.kind, a.item_id, a.author_id FROM feed_authored a
     WHERE a.author_id = f.followee_id AND a.in_feeds AND {_AFTER.format(x="a")}
     ORDER BY a.at DESC, a.kind DESC, a.item_id DESC LIMIT $5) s
   WHERE f.follower_id = $1 AND f.state = 'accepted')
  UNION
  (SELECT s.at, s.kind, s.item_id, s.author_id FROM unnest($6::bigint[]) AS c (club_id)
   CROSS JOIN LATERAL (SELECT x.at, x.kind, x.item_id, x.author_id FROM feed_club_items x
     WHERE x.club_id = c.club_id AND {_AFTER.format(x="x")}
     ORDER BY x.at DESC, x.kind DESC, x.item_id DESC LIMIT $5) s)) u
WHERE NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = $1 AND m.muted_id = u.author_id)
ORDER BY u.at DESC, u.kind DESC, u.item_id DESC LIMIT $5
"""

# The clubs whose posts the reader reads (groups' Clubmates::ClubsOf).
CLUBS_SQL = "SELECT club_id FROM club_members WHERE user_id = $1 AND state = 'active' ORDER BY club_id"

# Per activity of the page: kudos count, visible comment count, the reader's kudos (posts' kActivityTallies).
TALLIES_SQL = """
SELECT a.id, (SELECT count(*) FROM kudos k WHERE k.activity_id = a.id),
       (SELECT count(*) FROM comments c WHERE c.activity_id = a.id AND c.hidden_at IS NULL),
       EXISTS (SELECT 1 FROM kudos k WHERE k.activity_id = a.id AND k.user_id = $1)
FROM unnest($2::bigint[]) AS a (id)
"""

# The page's activities, their owners, and the reader's relation to each owner.
ITEMS_SQL = """
SELECT a.id, a.owner_id, a.sport, a.name, a.start_time, a.visibility, a.distance_m, a.elapsed_s,
       a.moving_s, a.elevation_gain_m, a.avg_speed_mps, a.avg_heart_rate_bpm, a.summary_polyline,
       a.map_hidden, a.hidden_metrics, a.public_summary,
       u.username, u.display_name,
       EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $2 AND f.followee_id = a.owner_id
               AND f.state = 'accepted') AS following,
       EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $2 AND b.blocked_id = a.owner_id)
               OR (b.blocker_id = a.owner_id AND b.blocked_id = $2)) AS blocked
FROM activities a JOIN users u ON u.id = a.owner_id
WHERE a.id = ANY($1::bigint[])
"""

PAGE = 30


async def _authenticate(request, conn):
    """The bearer token's user id, or None (as /v1/me checks it, session cache included)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = jwt.decode(token, _state["key"], algorithms=["ES256"], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["exp", "iss", "aud", "sub"]})
        user_id = int(claims["sub"])
        session_id = claims.get("sid")
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
    if session_id is not None:
        now = time.monotonic()
        cached = _sessions.get(session_id)
        if cached is None or now - cached[0] >= _state["session_ttl"]:
            session = await conn.fetchrow("SELECT revoked_at FROM auth_sessions WHERE id = $1", _as_id(session_id))
            if len(_sessions) > 100000:
                _sessions.clear()
            cached = (now, session is None or session["revoked_at"] is not None)
            _sessions[session_id] = cached
        if cached[1]:
            return None
    return user_id


@app.get("/v1/feed")
async def feed(request: Request):
    async with _state["pool"].acquire() as conn:
        viewer = await _authenticate(request, conn)
        if viewer is None:
            return _problem(401, "Unauthorized")
        clubs = [r["club_id"] for r in await conn.fetch(CLUBS_SQL, viewer)]
        rows = await conn.fetch(HOME_SQL, viewer, None, None, None, PAGE + 1, clubs)
        ids = [r["item_id"] for r in rows if r["kind"] == 1]
        found = {r["id"]: r for r in await conn.fetch(ITEMS_SQL, ids, viewer)} if ids else {}
        tallies = {r[0]: r for r in await conn.fetch(TALLIES_SQL, viewer, list(found))} if found else {}
    items = []
    for r in rows[:PAGE]:
        a = found.get(r["item_id"])
        if a is None:
            continue
        own = a["owner_id"] == viewer
        if not own and (a["blocked"] or a["visibility"] == "only_me" or
                        (a["visibility"] == "followers" and not a["following"])):
            continue
        public = a["public_summary"]
        summary = {
            "id": a["id"], "owner_id": a["owner_id"], "sport": a["sport"], "name": a["name"],
            "start_time": a["start_time"].isoformat(), "distance_m": a["distance_m"],
            "elapsed_s": a["elapsed_s"], "moving_s": a["moving_s"], "elevation_gain_m": a["elevation_gain_m"],
            "avg_speed_mps": a["avg_speed_mps"],
            "avg_heart_rate_bpm": None if "heart_rate" in (a["hidden_metrics"] or []) and not own
            else a["avg_heart_rate_bpm"],
            "summary_polyline": None if a["map_hidden"] and not own else a["summary_polyline"],
            "visibility": a["visibility"],
        }
        if public is not None and not own:
            summary["public_summary"] = public
        tally = tallies.get(a["id"])
        items.append({"kind": "activity", "at": r["at"].isoformat(),
                      "author": {"id": a["owner_id"], "username": a["username"], "display_name": a["display_name"]},
                      "kudos_count": tally[1] if tally else 0, "comment_count": tally[2] if tally else 0,
                      "kudoed_by_me": bool(tally[3]) if tally else False,
                      "activity": summary})
    last = rows[PAGE - 1] if len(rows) > PAGE else None
    return {"items": items, "next_cursor": None if last is None else f"{last['at'].isoformat()}:{last['item_id']}"}


def _as_id(value):
    """Session ids are bigint in our schema; fall back to text (e.g. a UUID) when they are not."""
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() else text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=8)
    parser.add_argument("--session-cache-ttl", type=float, default=1.0,
                        help="seconds a session check is reused (0: query every request)")
    args = parser.parse_args()

    # Workers are spawned processes that import this module again: they read settings from the
    # environment and find the module through sys.path, which multiprocessing hands down.
    os.environ["PEER_DATABASE_URL"] = args.database_url
    os.environ["PEER_KEY_FILE"] = args.key_file
    os.environ["PEER_POOL_SIZE"] = str(args.pool_size)
    os.environ["PEER_SESSION_CACHE_TTL"] = str(args.session_cache_ttl)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "fastapi_peer:app",
        host="127.0.0.1",
        port=0,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )
    # Bind once in the supervisor (port 0 -> a free port), publish the port, then fork the workers
    # onto the same socket: what `uvicorn --workers N` does, plus the port file.
    sock = config.bind_socket()
    port = sock.getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, args.port_file)
    server = uvicorn.Server(config=config)
    if args.workers > 1:
        Multiprocess(config, target=server.run, sockets=[sock]).run()
    else:
        config.load()
        server.run(sockets=[sock])


if __name__ == "__main__":
    main()
