/**
 * Benchmark: documents parsed per second for a typical 1 kB document and a 60 kB one.
 * Run with `pnpm --filter @parley/twiml run bench` (after build). Numbers go in the README;
 * nothing asserts them.
 */
import { performance } from 'node:perf_hooks';
import { parseTwiml, serializeTwiml } from '../index';
import { largeDocument, typicalDocument } from './documents';

interface Result {
  readonly name: string;
  readonly bytes: number;
  readonly perSecond: number;
  readonly microsPerDoc: number;
}

function measure(name: string, xml: string, run: () => void, seconds: number): Result {
  // Warm up the JIT.
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) run();
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) run();
    count += 20;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  return {
    name,
    bytes: Buffer.byteLength(xml),
    perSecond: count / elapsed,
    microsPerDoc: (elapsed * 1e6) / count,
  };
}

function main(): void {
  const seconds = Number(process.env.BENCH_SECONDS ?? '3');
  const typical = typicalDocument();
  const large = largeDocument();
  for (const xml of [typical, large]) {
    const result = parseTwiml(xml);
    if (!result.ok) throw new Error(`benchmark document rejected: ${result.error.message}`);
  }
  const typicalDoc = parseTwiml(typical);
  const largeDoc = parseTwiml(large);
  if (!typicalDoc.ok || !largeDoc.ok) throw new Error('unreachable');

  const results = [
    measure('parse typical', typical, () => parseTwiml(typical), seconds),
    measure('parse large', large, () => parseTwiml(large), seconds),
    measure('serialize typical', typical, () => serializeTwiml(typicalDoc.document), seconds),
    measure('serialize large', large, () => serializeTwiml(largeDoc.document), seconds),
  ];

  console.log(`@parley/twiml benchmark (node ${process.version}, ${seconds}s per case)`);
  console.log('case                 size        docs/s     us/doc      MB/s');
  for (const r of results) {
    const mbps = (r.perSecond * r.bytes) / 1e6;
    console.log(
      `${r.name.padEnd(20)} ${`${(r.bytes / 1024).toFixed(1)} kB`.padStart(8)} ${r.perSecond.toFixed(0).padStart(12)} ${r.microsPerDoc
        .toFixed(1)
        .padStart(10)} ${mbps.toFixed(1).padStart(9)}`,
    );
  }
}

main();
