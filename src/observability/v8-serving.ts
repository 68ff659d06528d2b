import { setFlagsFromString } from 'node:v8';

/**
 * V8 garbage-collector setting of the API server process (main.ts; bench/live-server.ts, which
 * stands in for it). Call once, first thing, before requests are served.
 *
 * Allocation-site pretenuring off. A live list maps a 60-70 KB vendor answer into records in one
 * synchronous pass; when a young-generation GC lands in that pass, V8 sees nearly every object of
 * the mapper's literals alive and decides to allocate that site's objects directly in the old
 * generation from then on. Those records then die in the old generation, and while they wait for a
 * major GC they keep the young strings and objects they point to (the parsed vendor answer) alive
 * through every young GC, which copies and promotes them: measured 130-200 KB promoted per request
 * and young GCs of 6-7 ms each. Whether the decision is taken depends on when GCs happen to fall,
 * so it differed from one process to the next and moved the server's CPU per request between
 * about 1.7 and 2.8 ms on the same bench (Salesforce, 100 contacts). With pretenuring off every
 * server process stays at the low end. Request data here never outlives its request, so nothing
 * gains from being pretenured. (Sync workers, which keep larger structures, are left as V8 has them.)
 */
export function tuneV8ForServing(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
