import { runSoak, summaryLine } from './engine';

/**
 * The short chaos soak: about 30 s of seeded random faults against four streams on two simulators
 * (the long one is `npm run soak -- --minutes N`). Every check is a correctness rule, not a timing
 * claim, except the dead-link bound the issue sets (heartbeat promise + grace + 1 s).
 */
describe('chaos soak (short)', () => {
  it('survives a seeded schedule of faults with nothing lost, leaked or doubled', async () => {
    const result = await runSoak({ seed: 20240611, durationMs: 25_000 });
    // Printed so CI logs carry the line the issue asks for.
    console.log(
      `${summaryLine(result)} (rounds ${result.rounds}, ${(result.elapsedMs / 1000).toFixed(1)} s, ${JSON.stringify(result.faultCounts)})`,
    );
    expect(result.violations).toEqual([]);
    expect(result.faults).toBeGreaterThan(5);
    expect(result.detections).toBeGreaterThan(0);
    expect(result.mirrorMismatches).toBe(0);
    expect(result.doubleSockets).toBe(0);
    expect(result.leakedHandles).toBe(0);
  }, 55_000);
});
