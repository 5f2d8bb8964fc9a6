// The in-memory LL-HLS ring: its bounds, blocking-reload checks and waits.
import { assert, assertEquals } from "../tests/_assert.ts";
import { LlHlsRing } from "./llhls.ts";

const INIT = Uint8Array.of(1, 2, 3);
const P = (n = 10) => new Uint8Array(n);

/** Adds `segments` segments of five 200 ms parts of `bytes` bytes each. */
function fill(ring: LlHlsRing, segments: number, bytes = 10): void {
  for (let s = 0; s < segments; s++) {
    for (let p = 0; p < 5; p++) {
      ring.addPart(P(bytes), { duration: 200, independent: p === 0 }, p === 0, 0);
    }
  }
}

Deno.test("LlHlsRing keeps maxSegments complete segments, the media sequence moving on", () => {
  const ring = new LlHlsRing({ maxSegments: 3 });
  ring.addInit(INIT);
  fill(ring, 20);
  const text = ring.playlist();
  assert(text.includes("#EXT-X-MEDIA-SEQUENCE:16\n"), text);
  assertEquals(text.match(/#EXTINF/g)?.length, 3); // 16..18 complete, 19 open
  assertEquals(ring.segment(15), undefined);
  assertEquals(ring.part(15, 0), undefined);
  assert(ring.segment(16) !== undefined && ring.part(19, 4) !== undefined);
  assertEquals(ring.segment(19), undefined, "the open segment is not served whole");
});

Deno.test("LlHlsRing never holds more than maxBytes, however much is pushed", () => {
  const ring = new LlHlsRing({ maxBytes: 1_000_000, maxSegments: 1000 });
  ring.addInit(INIT);
  for (let s = 0; s < 200; s++) {
    fill(ring, 1, 100_000); // 500 kB a segment, 100 MB in all
    assert(ring.bytes <= 1_000_000, `holds ${ring.bytes}`);
  }
  assert(ring.segment(197) === undefined && ring.segment(198) !== undefined);
});

Deno.test("LlHlsRing keeps maxInits init segments", () => {
  const ring = new LlHlsRing({ maxInits: 2 });
  for (let i = 0; i < 10; i++) {
    ring.addInit(Uint8Array.of(i));
    fill(ring, 1);
  }
  assertEquals(ring.init(7), undefined);
  assertEquals(ring.init(9), Uint8Array.of(9));
  const text = ring.playlist();
  assert(!text.includes("init7.mp4") && text.includes("#EXT-X-DISCONTINUITY"), text);
});

Deno.test("LlHlsRing.check(): ready once the part or segment exists, too far past two segments ahead", () => {
  const ring = new LlHlsRing();
  ring.addInit(INIT);
  fill(ring, 2); // segments 0 complete, 1 open with 5 parts
  assertEquals(ring.check({ msn: 0 }), "ready");
  assertEquals(ring.check({ msn: 1, part: 4 }), "ready");
  assertEquals(ring.check({ msn: 1, part: 5 }), "wait");
  assertEquals(ring.check({ msn: 1 }), "wait");
  assertEquals(ring.check({ msn: 2, part: 0 }), "wait");
  assertEquals(ring.check({ msn: 3 }), "wait");
  assertEquals(ring.check({ msn: 4 }), "too-far");
  ring.end();
  assertEquals(ring.check({ msn: 2, part: 0 }), "ready", "an ended stream answers at once");
  assert(ring.playlist().endsWith("#EXT-X-ENDLIST\n"));
});

Deno.test("LlHlsRing.until(): returns when the wished part is added, not before; false at the timeout", async () => {
  const ring = new LlHlsRing();
  ring.addInit(INIT);
  fill(ring, 1);
  const wish = { msn: 0, part: 5 };
  const started = Date.now();
  let answeredAt = 0;
  const waiting = ring.until(() => ring.check(wish) !== "wait", 5000).then((ok) => {
    answeredAt = Date.now();
    return ok;
  });
  await new Promise((r) => setTimeout(r, 150));
  assertEquals(answeredAt, 0, "answered before the part existed");
  ring.addPart(P(), { duration: 200, independent: false }, false, 0);
  const addedAt = Date.now();
  assertEquals(await waiting, true);
  assert(answeredAt >= addedAt && answeredAt - started >= 150, `${answeredAt - started} ms`);
  assertEquals(await ring.until(() => ring.check({ msn: 1, part: 3 }) !== "wait", 100), false);
});
