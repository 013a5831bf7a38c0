import { formatValue } from '../../src/simulator/formats';
import { programParts, propertyParts, variableParts } from '../../src/simulator/eventParts';
import { generateHouse } from '../../src/simulator/generateHouse';
import { snapshotNodes } from '../../src/simulator/house';
import { burstSchedule } from '../../src/simulator/plans';
import { createPrng } from '../../src/simulator/prng';
import { formatTimestamp, parseEvent, renderEvent, rewriteHeader } from '../../src/simulator/wire';

describe('wire format', () => {
  it('renders a property frame byte for byte like the real eisy', () => {
    // The exact frame quoted in WIRE.md (from the real capture).
    const real =
      '<?xml version="1.0" encoding="UTF-8"?><Event seqnum="252" sid="uuid:1" timestamp="2026-05-02T07:08:24.481279-07:00"><control>OL</control><action uom="100" prec="0">102</action><node>94 35 EE 1</node><eventInfo></eventInfo><fmtAct>40%</fmtAct><fmtName>On Level</fmtName></Event>';
    const at = new Date(Date.UTC(2026, 4, 2, 14, 8, 24, 481));
    const xml = renderEvent(
      { seqnum: 252, sid: 'uuid:1', timestamp: formatTimestamp(at, -420, 279) },
      {
        control: 'OL',
        action: '102',
        uom: '100',
        prec: '0',
        node: '94 35 EE 1',
        fmtAct: formatValue({ kind: 'level' }, 102),
        fmtName: 'On Level',
      },
    );
    expect(xml).toBe(real);
    expect(parseEvent(real)).toMatchObject({
      seqnum: 252,
      sid: 'uuid:1',
      control: 'OL',
      action: '102',
      uom: '100',
      prec: '0',
      node: '94 35 EE 1',
      fmtAct: '40%',
    });
    expect(rewriteHeader(real, 0, 'uuid:9')).toBe(real.replace('seqnum="252" sid="uuid:1"', 'seqnum="0" sid="uuid:9"'));
  });

  it('renders ERR, program and variable frames like the capture', () => {
    const header = { seqnum: 9, sid: 'uuid:1', timestamp: 'T' };
    expect(renderEvent(header, { control: 'ERR', action: '0', node: 'F8 A7 63 1' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Event seqnum="9" sid="uuid:1" timestamp="T"><control>ERR</control><action>0</action><node>F8 A7 63 1</node><eventInfo></eventInfo></Event>',
    );
    const at = new Date(Date.UTC(2026, 4, 6, 21, 30, 36));
    const program = programParts(
      { id: '8D', enabled: true, runAtReboot: false, status: 0x31, lastRun: at, lastFinish: at, changedAt: at },
      -420,
    );
    expect(program.eventInfo).toBe('<id>8D</id><on /><nr /><r>260506 14:30:36 </r><f>260506 14:30:36 </f><s>31</s>');
    const v = {
      type: 2 as const,
      id: 12,
      value: 0,
      init: 0,
      prec: 0,
      changedAt: new Date(Date.UTC(2026, 4, 6, 20, 23, 15)),
    };
    expect(variableParts(v, '6', -420).eventInfo).toBe(
      '<var type="2" id="12"><prec>0</prec><val>0</val><ts>20260506 13:23:15 </ts></var>',
    );
    expect(variableParts(v, '7', -420).eventInfo).toBe('<var type="2" id="12"><init>0</init><prec>0</prec></var>');
  });

  it('formats values as the eisy displays them', () => {
    expect(formatValue({ kind: 'level' }, 0)).toBe('Off');
    expect(formatValue({ kind: 'level' }, 255)).toBe('100%');
    expect(formatValue({ kind: 'level' }, 196)).toBe('77%');
    expect(formatValue({ kind: 'onoff' }, 255)).toBe('On');
    expect(formatValue({ kind: 'rampRate' }, 28)).toBe('0.5 seconds');
    expect(formatValue({ kind: 'rampRate' }, 26)).toBe('4.5 seconds');
    expect(formatValue({ kind: 'number', min: 0, max: 1000, prec: 1, unit: '°F' }, 705)).toBe('70.5°F');
    expect(formatValue({ kind: 'error' }, 1)).toBeUndefined();
  });
});

describe('generated house', () => {
  const now = new Date('2026-05-06T12:00:00Z');

  it('is deterministic for a seed and about 150 realistic nodes', () => {
    const a = generateHouse(createPrng(7), now);
    const b = generateHouse(createPrng(7), now);
    const c = generateHouse(createPrng(8), now);
    expect(snapshotNodes(a)).toEqual(snapshotNodes(b));
    expect(snapshotNodes(a)).not.toEqual(snapshotNodes(c));
    expect(a.nodes.size).toBeGreaterThanOrEqual(140);
    expect(a.nodes.size).toBeLessThanOrEqual(160);
    for (const address of a.nodes.keys()) expect(address).toMatch(/^[0-9A-F]{2} [0-9A-F]{2} [0-9A-F]{2} \d+$/);
    const kinds = new Set([...a.nodes.values()].map((n) => n.kind));
    expect([...kinds].sort()).toEqual([
      'dimmer',
      'door',
      'fanlinc',
      'keypad',
      'leak',
      'lock',
      'motion',
      'relay',
      'thermostat',
    ]);
    const controls = new Set([...a.nodes.values()].flatMap((n) => [...n.properties.keys()]));
    for (const c2 of ['ST', 'OL', 'RR', 'ERR', 'CLITEMP', 'CLISPH', 'CLISPC', 'CLIMD', 'CLIHUM'])
      expect(controls).toContain(c2);
    expect(a.programs.size).toBeGreaterThan(0);
    expect(a.variables.size).toBeGreaterThan(0);
  });

  it('renders a thermostat temperature with uom 17 and prec 1', () => {
    const house = generateHouse(createPrng(1), now);
    const thermostat = [...house.nodes.values()].find((n) => n.kind === 'thermostat');
    const temp = thermostat?.properties.get('CLITEMP');
    expect(temp).toBeDefined();
    const parts = propertyParts(thermostat!.address, 'CLITEMP', temp!);
    expect(parts).toMatchObject({ uom: '17', prec: '1', fmtName: 'Temperature' });
    expect(parts.fmtAct).toMatch(/^\d+\.\d°F$/);
  });

  it('schedules the replay in bursts like the real capture (425 frames in ~1.67 s, gaps <= 53 ms)', () => {
    const times = burstSchedule(425, createPrng(3), 1);
    const total = times[times.length - 1];
    expect(total).toBeGreaterThan(1200);
    expect(total).toBeLessThan(2200);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(53);
    expect(gaps.filter((g) => g === 0).length).toBeGreaterThan(200);
    expect(burstSchedule(425, createPrng(3), 10)[424]).toBeCloseTo(total / 10);
  });
});
