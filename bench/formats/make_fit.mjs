// Writes a FIT activity file of N one-second records with the official Garmin FIT SDK's encoder
// (so the benchmark input is not written by the decoder under test).
//   node bench/formats/make_fit.mjs OUT N [START]   (START: ISO time of the first record)
import { writeFileSync } from 'node:fs';
import { Encoder, Profile } from '../../tests/fitsdk/node_modules/@garmin/fitsdk/src/index.js';

const [out, countText, startText] = process.argv.slice(2);
const count = Number(countText);
if (!out || !Number.isInteger(count) || count < 1) {
    console.error('usage: node make_fit.mjs OUT N [START]');
    process.exit(2);
}
const start = new Date(startText ?? '2024-05-04T07:00:00Z');
const encoder = new Encoder();
encoder.onMesg(Profile.MesgNum.FILE_ID, { manufacturer: 'development', product: 0, timeCreated: start, type: 'activity' });
encoder.onMesg(Profile.MesgNum.EVENT, { timestamp: start, event: 'timer', eventType: 'start' });
let distance = 0;
for (let i = 0; i < count; i++) {
    const t = new Date(start.getTime() + i * 1000);
    const speed = 3 + Math.sin(i / 300);
    distance += speed;
    encoder.onMesg(Profile.MesgNum.RECORD, {
        timestamp: t,
        positionLat: Math.round((46.0 + i * 1e-5) * (2 ** 31 / 180)),
        positionLong: Math.round((14.5 + Math.sin(i / 1000) * 0.01) * (2 ** 31 / 180)),
        altitude: 300 + 50 * Math.sin(i / 500),
        distance,
        speed,
        heartRate: 120 + (i % 40),
        cadence: 85 + (i % 10),
        power: 180 + (i % 60),
        temperature: 18,
    });
}
const end = new Date(start.getTime() + (count - 1) * 1000);
encoder.onMesg(Profile.MesgNum.EVENT, { timestamp: end, event: 'timer', eventType: 'stopAll' });
encoder.onMesg(Profile.MesgNum.LAP, { timestamp: end, startTime: start, totalElapsedTime: count - 1, totalTimerTime: count - 1, totalDistance: distance });
encoder.onMesg(Profile.MesgNum.SESSION, { timestamp: end, startTime: start, totalElapsedTime: count - 1, totalTimerTime: count - 1, totalDistance: distance, sport: 'cycling', firstLapIndex: 0, numLaps: 1 });
encoder.onMesg(Profile.MesgNum.ACTIVITY, { timestamp: end, numSessions: 1, type: 'manual', event: 'activity', eventType: 'stop' });
writeFileSync(out, encoder.close());
