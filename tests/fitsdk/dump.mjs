// Decodes one FIT file with the official Garmin FIT SDK (@garmin/fitsdk) and prints one JSON object
// on stdout: what libs/formats/src/fit_conformance_test.cpp compares our decoder against, and the
// device's session totals libs/analytics/src/device_totals_test.cpp compares the summary with.
//
//   node tests/fitsdk/dump.mjs FILE            the JSON summary
//   node tests/fitsdk/dump.mjs --time FILE N   also decodes N times and reports the mean milliseconds
//
// Output: { is_fit, integrity, errors: [...], file_type, manufacturer, product, record_count,
//   record_times_ms: [...], last_distance_m, last_timed_distance_m (records with a timestamp only),
//   sessions: [{ sport, sub_sport, start_time_ms, total_elapsed_time_s, total_timer_time_s,
//   total_distance_m, total_moving_time_s, active_time_s, total_ascent_m, total_descent_m,
//   total_calories, avg_heart_rate, max_heart_rate, pool_length_m, num_active_lengths }],
//   mean_ms? }. Times are Unix milliseconds; a record without a timestamp gives null.
import { readFileSync } from "node:fs";
import { Decoder, Stream } from "@garmin/fitsdk";

const args = process.argv.slice(2);
let repeat = 0;
if (args[0] === "--time") {
    args.shift();
    repeat = Number(args[1] ?? 10);
}
if (args.length < 1) {
    console.error("usage: node dump.mjs [--time] FILE [N]");
    process.exit(2);
}
const bytes = readFileSync(args[0]);

function decode() {
    const stream = Stream.fromBuffer(bytes);
    const decoder = new Decoder(stream);
    const isFit = decoder.isFIT();
    const integrity = isFit ? decoder.checkIntegrity() : false;
    let messages = {};
    let errors = [];
    if (isFit) {
        // As the SOURCES.md survey ran it: defaults except mergeHeartRates (HR comes from hrv there).
        ({ messages, errors } = decoder.read({ mergeHeartRates: false }));
    }
    return { isFit, integrity, messages, errors };
}

const timeMs = (value) => (value instanceof Date ? value.getTime() : null);
const num = (value) => (typeof value === "number" && Number.isFinite(value) ? value : null);

const { isFit, integrity, messages, errors } = decode();
const records = messages.recordMesgs ?? [];
let lastDistance = null;
let lastTimedDistance = null;
for (const record of records) {
    if (num(record.distance) !== null) {
        lastDistance = record.distance;
        if (timeMs(record.timestamp) !== null) {
            lastTimedDistance = record.distance;
        }
    }
}
const fileId = (messages.fileIdMesgs ?? [])[0] ?? {};
const out = {
    is_fit: isFit,
    integrity,
    errors: errors.map((error) => String(error?.message ?? error)),
    file_type: fileId.type ?? null,
    manufacturer: fileId.manufacturer ?? null,
    product: fileId.garminProduct ?? fileId.product ?? null,
    record_count: records.length,
    record_times_ms: records.map((record) => timeMs(record.timestamp)),
    last_distance_m: lastDistance,
    last_timed_distance_m: lastTimedDistance,
    sessions: (messages.sessionMesgs ?? []).map((session) => ({
        sport: session.sport ?? null,
        sub_sport: session.subSport ?? null,
        start_time_ms: timeMs(session.startTime),
        total_elapsed_time_s: num(session.totalElapsedTime),
        total_timer_time_s: num(session.totalTimerTime),
        total_distance_m: num(session.totalDistance),
        total_moving_time_s: num(session.totalMovingTime),
        active_time_s: num(session.activeTime),
        total_ascent_m: num(session.totalAscent),
        total_descent_m: num(session.totalDescent),
        total_calories: num(session.totalCalories),
        avg_heart_rate: num(session.avgHeartRate),
        max_heart_rate: num(session.maxHeartRate),
        pool_length_m: num(session.poolLength),
        num_active_lengths: num(session.numActiveLengths),
    })),
};
if (repeat > 0) {
    const start = process.hrtime.bigint();
    for (let run = 0; run < repeat; ++run) {
        decode();
    }
    out.mean_ms = Number(process.hrtime.bigint() - start) / 1e6 / repeat;
}
process.stdout.write(JSON.stringify(out) + "\n");
