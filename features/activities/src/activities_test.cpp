// Unit tests of the activities feature's pure parts: the privacy decision, the guard against
// home-point estimation, the wire parsers and the renderings (streams, GPX export).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <random>

#include "output.hpp"
#include "privacy_guard.hpp"
#include "strava1/formats/parse.hpp"
#include "strava1/geo/polyline.hpp"
#include "view.hpp"
#include "wire.hpp"

namespace strava1::activities {
namespace {

constexpr double kPi = 3.14159265358979323846;

geo::LatLng Offset(geo::LatLng p, double north_m, double east_m) {
    return {p.lat_deg + north_m / 111'195.0, p.lng_deg + east_m / (111'195.0 * std::cos(p.lat_deg * kPi / 180))};
}

TEST(Decide, OwnerSeesAllOthersPerVisibility) {
    Audience a;
    a.owner_id = 7;
    a.hidden_metrics = kHeartRate | kStartTime;
    a.hidden_areas.push_back(geo::Disc{{46, 14}, 500});
    auto owner = Decide(7, a, false);
    ASSERT_TRUE(owner);
    EXPECT_TRUE(owner->owner);
    EXPECT_FALSE(owner->Hides(kHeartRate));
    EXPECT_FALSE(owner->MasksPositions());
    auto other = Decide(8, a, false);
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->Hides(kHeartRate));
    EXPECT_TRUE(other->Hides(kStartTime));
    EXPECT_FALSE(other->Hides(kPower));
    EXPECT_TRUE(other->MasksPositions());
    a.visibility = Visibility::kFollowers;
    EXPECT_FALSE(Decide(8, a, false));
    EXPECT_TRUE(Decide(8, a, true));
    a.visibility = Visibility::kOnlyMe;
    EXPECT_FALSE(Decide(8, a, true));
    EXPECT_TRUE(Decide(7, a, false));
    a.visibility = Visibility::kEveryone;
    a.map_hidden = true;
    EXPECT_EQ(MaskPolyline(*Decide(8, a, false), "_p~iF~ps|U_ulLnnqC"), "");
    EXPECT_EQ(MaskPolyline(*Decide(7, a, false), "_p~iF~ps|U_ulLnnqC"), "_p~iF~ps|U_ulLnnqC");
}

TEST(Privacy, AMaskedPolylineBreaksWhereAZoneCutsIt) {
    // Eleven points 77 m apart along 46° N; a 100 m zone on the middle one holds three of them.
    std::vector<geo::LatLng> points;
    for (int k = 0; k <= 10; ++k) {
        points.push_back({46.0, 14.0 + 0.001 * k});
    }
    const std::string line = geo::EncodePolyline(points);
    Audience a;
    a.owner_id = 7;
    a.hidden_areas.push_back(geo::Disc{{46.0, 14.005}, 100});
    const View other = *Decide(8, a, false);
    MaskedPolyline masked = MaskPolylineRuns(other, line);
    ASSERT_EQ(geo::DecodePolyline(masked.encoded)->size(), 8u);
    EXPECT_EQ(masked.breaks, (std::vector<std::size_t>{4}));
    EXPECT_EQ(masked.encoded, MaskPolyline(other, line));
    EXPECT_TRUE(MaskPolylineRuns(*Decide(7, a, false), line).breaks.empty());
    // A simplified line may keep no vertex inside the zone its segment crosses: it breaks anyway.
    const std::string coarse = geo::EncodePolyline(std::vector<geo::LatLng>{points.front(), points.back()});
    EXPECT_EQ(MaskPolylineRuns(other, coarse).breaks, (std::vector<std::size_t>{1}));
    // A zone 1.1 km off the line cuts nothing.
    a.hidden_areas[0] = geo::Disc{{46.01, 14.005}, 100};
    EXPECT_TRUE(MaskPolylineRuns(*Decide(8, a, false), coarse).breaks.empty());
}

TEST(Metrics, NamesRoundTrip) {
    EXPECT_EQ(MetricNames(kAllMetrics), (std::vector<std::string>{"heart_rate", "power", "pace", "calories", "start_time"}));
    EXPECT_EQ(ParseMetric("power"), kPower);
    EXPECT_FALSE(ParseMetric("mood"));
    EXPECT_EQ(ParseVisibility("only_me"), Visibility::kOnlyMe);
    EXPECT_FALSE(ParseVisibility("friends"));
}

TEST(PgArrays, DiscsAndTextArrays) {
    geo::Disc d{{46.0569, -14.5058}, 612.25};
    auto back = ParseDiscArray(DiscArrayText(d));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->centre.lat_deg, d.centre.lat_deg);
    EXPECT_EQ(back->centre.lng_deg, d.centre.lng_deg);
    EXPECT_EQ(back->radius_m, d.radius_m);
    auto point = ParsePointArray(PointArrayText({46.0569123, -14.5}));
    ASSERT_TRUE(point);
    EXPECT_EQ(point->lat_deg, 46.0569123);
    EXPECT_EQ(point->lng_deg, -14.5);
    EXPECT_FALSE(ParsePointArray("{1,2,3}"));
    EXPECT_FALSE(ParsePointArray("{1}"));
    EXPECT_FALSE(ParseDiscArray("{1,2}"));
    EXPECT_FALSE(ParseDiscArray("{1,2,3,4}"));
    EXPECT_FALSE(ParseDiscArray("1,2,3"));
    EXPECT_EQ(ParseTextArray("{heart_rate,\"pace\"}"), (std::vector<std::string>{"heart_rate", "pace"}));
    EXPECT_TRUE(ParseTextArray("{}").empty());
}

TEST(Wire, Timestamps) {
    EXPECT_EQ(ParseTimestampMicros("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(ParseTimestampMicros("2026-11-30T07:12:03Z"), 1796022723LL * 1'000'000);
    EXPECT_EQ(ParseTimestampMicros("2026-11-30T08:12:03.25+01:00"), 1796022723LL * 1'000'000 + 250'000);
    EXPECT_EQ(ParseTimestampMicros("1796022723"), 1796022723LL * 1'000'000);
    for (const char* bad : {"", "2026-11-30", "2026-11-30T07:12:03", "2026-02-30T00:00:00Z", "2026-11-30T25:00:00Z",
                            "2026-11-30T07:12:03Zjunk", "2026-11-30T07:12:03.Z", "99999999999999", "-5"}) {
        EXPECT_FALSE(ParseTimestampMicros(bad)) << bad;
    }
}

formats::Track Line(geo::LatLng start, int n, double step_m) {
    formats::Track t;
    t.point_count = static_cast<std::size_t>(n);
    for (int i = 0; i < n; ++i) {
        geo::LatLng p = Offset(start, step_m * i, 0);
        t.time_ms.push_back(1'700'000'000'000 + i * 1000);
        t.lat_e7.push_back(formats::DegreesToE7(p.lat_deg));
        t.lng_e7.push_back(formats::DegreesToE7(p.lng_deg));
        t.distance_m.push_back(step_m * i);
        t.altitude_m.push_back(static_cast<float>(100 + 0.05 * step_m * i));
        t.heart_rate_bpm.push_back(static_cast<std::uint16_t>(120 + i % 30));
    }
    return t;
}

TEST(Streams, SamplesEvenlyAndHonoursTheView) {
    formats::Track t = Line({46, 14}, 5000, 3.0);
    std::string bad;
    auto keys = ParseStreamKeys("", bad);
    ASSERT_TRUE(keys);
    View owner;
    owner.owner = true;
    auto doc = boost::json::parse(StreamsJson(t, owner, *keys, "medium", 1000)).as_object();
    EXPECT_EQ(doc["original_size"].as_int64(), 5000);
    EXPECT_EQ(doc["size"].as_int64(), 1000);
    auto& streams = doc["streams"].as_object();
    EXPECT_EQ(streams["time"].as_array().front().to_number<double>(), 0.0);
    EXPECT_EQ(streams["time"].as_array().back().to_number<double>(), 4999.0);
    EXPECT_NEAR(streams["velocity_smooth"].as_array().back().to_number<double>(), 3.0, 1e-9);
    EXPECT_NEAR(streams["grade_smooth"].as_array().back().to_number<double>(), 5.0, 0.01);
    EXPECT_TRUE(streams.contains("heartrate"));
    EXPECT_FALSE(streams.contains("watts"));

    View other;
    other.hidden_metrics = kHeartRate | kPace;
    other.hidden_areas.push_back(geo::Disc{{46, 14}, 1000});
    auto masked = boost::json::parse(StreamsJson(t, other, *keys, "all", 10000)).as_object();
    auto& ms = masked["streams"].as_object();
    EXPECT_FALSE(ms.contains("heartrate"));
    EXPECT_FALSE(ms.contains("velocity_smooth"));
    EXPECT_LT(masked["size"].as_int64(), 5000 - 300);  // ~334 points within 1 km are withheld
    for (const auto& p : ms["latlng"].as_array()) {
        geo::LatLng q{p.as_array()[0].to_number<double>(), p.as_array()[1].to_number<double>()};
        EXPECT_GT(geo::LocalDistanceM(q, {46, 14}), 1000.0);
    }
    other.map_hidden = true;
    auto nomap = boost::json::parse(StreamsJson(t, other, *keys, "all", 10000)).as_object();
    EXPECT_FALSE(nomap["streams"].as_object().contains("latlng"));
    EXPECT_EQ(nomap["size"].as_int64(), 5000);
    EXPECT_FALSE(ParseStreamKeys("time,bogus", bad));
    EXPECT_EQ(bad, "bogus");
    EXPECT_EQ(ResolutionPoints("low"), 100u);
    EXPECT_FALSE(ResolutionPoints("ultra"));
}

TEST(Streams, BreakWhereHiddenSamplesLieBetweenAtEveryResolution) {
    // 5000 samples 3 m apart; a 300 m zone 6 km along holds samples 1901-2099 (199 of them).
    formats::Track t = Line({46, 14}, 5000, 3.0);
    std::string bad;
    auto keys = ParseStreamKeys("latlng,distance", bad);
    ASSERT_TRUE(keys);
    View other;
    other.hidden_areas.push_back(geo::Disc{Offset({46, 14}, 6000, 0), 300});
    auto all = boost::json::parse(StreamsJson(t, other, *keys, "all", 10000)).as_object();
    ASSERT_EQ(all["breaks"].as_array().size(), 1u);
    const auto at = static_cast<std::size_t>(all["breaks"].as_array()[0].as_int64());
    const auto& distance = all["streams"].as_object()["distance"].as_array();
    // The only jump in distance is across the zone, and the break names the sample after it.
    EXPECT_NEAR(distance[at].to_number<double>() - distance[at - 1].to_number<double>(), 600.0, 6.0);
    for (std::size_t i = 1; i < distance.size(); ++i) {
        if (i != at) {
            EXPECT_NEAR(distance[i].to_number<double>() - distance[i - 1].to_number<double>(), 3.0, 1e-6) << i;
        }
    }
    // Picked down to 100 and 1000, still one break, where the picks jump the zone.
    for (std::size_t points : {100u, 1000u}) {
        auto low = boost::json::parse(StreamsJson(t, other, *keys, "x", points)).as_object();
        const auto& d = low["streams"].as_object()["distance"].as_array();
        ASSERT_EQ(low["breaks"].as_array().size(), 1u) << points;
        const auto k = static_cast<std::size_t>(low["breaks"].as_array()[0].as_int64());
        EXPECT_LT(d[k - 1].to_number<double>(), 5700.0) << points;
        EXPECT_GT(d[k].to_number<double>(), 6300.0 - 6.0) << points;
    }
    View owner;
    owner.owner = true;
    EXPECT_TRUE(
        boost::json::parse(StreamsJson(t, owner, *keys, "all", 10000)).as_object()["breaks"].as_array().empty());
}

TEST(ExportGpx, ReadsBackWithOurOwnParser) {
    formats::Track t = Line({46, 14}, 300, 5.0);
    View owner;
    owner.owner = true;
    std::string gpx = ExportGpx(t, owner, "Run & <fun>", "run");
    auto parsed = formats::ParseGpx(gpx);
    ASSERT_TRUE(parsed) << parsed.error().Describe();
    const auto& back = parsed.value().activities.at(0).track;
    ASSERT_EQ(back.size(), t.size());
    EXPECT_EQ(parsed.value().activities[0].name, "Run & <fun>");
    for (std::size_t i = 0; i < t.size(); ++i) {
        EXPECT_EQ(back.lat_e7[i], t.lat_e7[i]);
        EXPECT_EQ(back.time_ms[i], t.time_ms[i]);
        EXPECT_EQ(back.heart_rate_bpm[i], t.heart_rate_bpm[i]);
    }
    View other;
    other.hidden_metrics = kHeartRate | kStartTime;
    other.hidden_areas.push_back(geo::Disc{{46, 14}, 500});
    std::string masked = ExportGpx(t, other, "x", "run");
    EXPECT_EQ(masked.find("<time>"), std::string::npos);
    EXPECT_EQ(masked.find("gpxtpx:hr"), std::string::npos);
    auto reparsed = formats::ParseGpx(masked);
    ASSERT_TRUE(reparsed);
    // Without times it reads back as a route (docs/formats.md, "Points without a time").
    EXPECT_TRUE(reparsed.value().activities.empty());
    EXPECT_LT(reparsed.value().routes.at(0).track.size(), 300u - 95u);
}

/// A route out of `home` along a wandering line and straight back, 10 m spacing.
void Loop(geo::LatLng home, std::mt19937_64& rng, std::vector<std::int32_t>& lat, std::vector<std::int32_t>& lng) {
    std::uniform_real_distribution<double> u(0, 1);
    lat.clear();
    lng.clear();
    double heading = u(rng) * 2 * kPi;
    geo::LatLng p = home;
    auto push = [&](geo::LatLng q) {
        lat.push_back(formats::DegreesToE7(q.lat_deg));
        lng.push_back(formats::DegreesToE7(q.lng_deg));
    };
    push(p);
    int legs = 250 + static_cast<int>(u(rng) * 150);
    for (int i = 0; i < legs; ++i) {
        heading += (u(rng) - 0.5) * 0.3;
        p = Offset(p, 10 * std::cos(heading), 10 * std::sin(heading));
        push(p);
    }
    geo::LatLng far = p;
    int back = static_cast<int>(std::ceil(geo::LocalDistanceM(far, home) / 10));
    for (int i = 1; i <= back; ++i) {
        double f = static_cast<double>(i) / back;
        push({far.lat_deg + (home.lat_deg - far.lat_deg) * f, far.lng_deg + (home.lng_deg - far.lng_deg) * f});
    }
}

struct AthleteOutcome {
    bool estimable = false;
    int maps_hidden = 0;
    double nearest_m = 1e9;
};

/// 20 activities from one home, each published through the guard (or not), as the feature does.
AthleteOutcome Athlete(std::uint64_t seed, bool guard, double radius_m) {
    std::mt19937_64 rng(seed);
    geo::LatLng home{46.0569 + static_cast<double>(seed % 7) * 0.01, 14.5058};
    geo::Anchor anchor = geo::NewAnchor(home, radius_m, rng());
    std::vector<geo::LatLng> published;
    AthleteOutcome out;
    std::vector<std::int32_t> lat;
    std::vector<std::int32_t> lng;
    for (int i = 0; i < 20; ++i) {
        Loop(home, rng, lat, lng);
        std::uint64_t activity_seed = rng();
        GuardedEndpoint start{geo::EndpointDisc(anchor, radius_m, activity_seed, geo::Endpoint::kStart), home, published};
        GuardedEndpoint end{geo::EndpointDisc(anchor, radius_m, activity_seed, geo::Endpoint::kEnd), home, published};
        GuardDecision d;
        if (guard) {
            d = Guard(lat, lng, start, end, radius_m);
        } else {
            geo::Disc discs[] = {*start.disc, *end.disc};
            d.ends = VisibleEnds(lat, lng, discs);
        }
        if (d.hide_map) {
            ++out.maps_hidden;
            continue;
        }
        for (const auto& p : {d.ends.first, d.ends.last}) {
            if (p) {
                published.push_back(*p);
                out.nearest_m = std::min(out.nearest_m, geo::LocalDistanceM(*p, home));
            }
        }
    }
    out.estimable = Estimable(published, home, radius_m);
    return out;
}

TEST(PrivacyGuard, TwentyActivitiesInAllDirectionsNeverLocateHome) {
    int unguarded_estimable = 0;
    int maps_hidden = 0;
    constexpr int kAthletes = 40;
    for (std::uint64_t seed = 1; seed <= kAthletes; ++seed) {
        AthleteOutcome guarded = Athlete(seed, true, 200);
        EXPECT_FALSE(guarded.estimable) << "athlete " << seed;
        EXPECT_GT(guarded.nearest_m, 200.0) << "athlete " << seed;
        maps_hidden += guarded.maps_hidden;
        unguarded_estimable += Athlete(seed, false, 200).estimable ? 1 : 0;
    }
    std::printf("guard: %d of %d athletes locatable without it; %d of %d maps hidden with it\n", unguarded_estimable,
                kAthletes, maps_hidden, kAthletes * 20);
    // The control: without the guard the centroid finds these homes, so this test can fail. The
    // athletes are seeded: exactly as many each run.
    EXPECT_EQ(unguarded_estimable, 15);
    // Most activities keep their map (the target: fewer than one in five hidden); seeded, exact.
    EXPECT_LT(maps_hidden, kAthletes * 20 / 5);
    EXPECT_EQ(maps_hidden, 36);
}

TEST(PrivacyGuard, EstimableMatchesTheTwoEstimators) {
    geo::LatLng home{46, 14};
    std::vector<geo::LatLng> ring;
    for (int k = 0; k < 12; ++k) {
        ring.push_back(Offset(home, 500 * std::cos(k * kPi / 6), 500 * std::sin(k * kPi / 6)));
    }
    EXPECT_TRUE(Estimable(ring, home, 200));  // centred on home: both estimators find it
    std::vector<geo::LatLng> shifted;
    for (auto p : ring) {
        shifted.push_back(Offset(p, 600, 0));
    }
    EXPECT_FALSE(Estimable(shifted, home, 200));
    // Half a ring: the centroid is off by ~320 m but the circle fit still finds the centre.
    std::vector<geo::LatLng> arc(ring.begin(), ring.begin() + 7);
    EXPECT_TRUE(Estimable(arc, home, 200));
    EXPECT_FALSE(Estimable({}, home, 200));
    std::vector<geo::LatLng> line = {Offset(home, 300, 0), Offset(home, 400, 0), Offset(home, 500, 0)};
    EXPECT_FALSE(Estimable(line, home, 200));  // collinear: no circle; centroid 400 m away
}

}  // namespace
}  // namespace strava1::activities
