import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FaultInjector, validateFaultConfig } from './faults';

/** What apply() did to each of `n` requests: 'drop', the status rendered, or 'pass'. */
async function outcomes(f: FaultInjector, n: number): Promise<(string | number)[]> {
  const out: (string | number)[] = [];
  for (let i = 0; i < n; i++) {
    let result: string | number = 'pass';
    const request = { raw: { socket: { destroy: () => (result = 'drop') } } } as unknown as FastifyRequest;
    const reply = { hijack: () => undefined } as unknown as FastifyReply;
    await f.apply(request, reply, (status) => (result = status));
    out.push(result);
  }
  return out;
}

describe('fault injection', () => {
  const config = validateFaultConfig({ errorRates: { 429: 0.1, 500: 0.1 }, dropRate: 0.1, seed: 7 });

  it('a seed gives the same faults at the same request numbers, again after each set()', async () => {
    const a = new FaultInjector();
    a.set(config);
    const first = await outcomes(a, 200);
    expect(first.filter((o) => o === 'drop').length).toBeGreaterThan(0);
    expect(first.filter((o) => o === 429 || o === 500).length).toBeGreaterThan(0);
    expect(first.filter((o) => o === 'pass').length).toBeGreaterThan(0);
    const b = new FaultInjector();
    b.set(config);
    expect(await outcomes(b, 200)).toEqual(first);
    a.set(config);
    expect(await outcomes(a, 200)).toEqual(first);
    expect(a.injected.drops).toBe(2 * first.filter((o) => o === 'drop').length);
    // Another seed, another sequence.
    a.set({ ...config, seed: 8 });
    expect(await outcomes(a, 200)).not.toEqual(first);
  });

  it('without a seed the injector uses its random source; the seed must be an integer', async () => {
    const f = new FaultInjector(() => 0.05);
    f.set(validateFaultConfig({ dropRate: 0.1 }));
    expect(await outcomes(f, 3)).toEqual(['drop', 'drop', 'drop']);
    expect(() => validateFaultConfig({ seed: 1.5 })).toThrow('seed must be an integer');
    expect(validateFaultConfig({ dropRate: 0.1 })).not.toHaveProperty('seed');
  });
});
