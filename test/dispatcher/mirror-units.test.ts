import { EventDispatcher, type PropertyChange } from '../../src/dispatcher';
import { eventFrame } from '../helpers/scriptedServer';

const action = (inner: string, attrs: string, fmtName?: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="1" sid="uuid:1" timestamp="t"><control>CLITEMP</control>` +
  `<action${attrs}>${inner}</action><node>1A 2B 3C 1</node><eventInfo></eventInfo>` +
  `${fmtName === undefined ? '' : `<fmtName>${fmtName}</fmtName>`}</Event>`;

describe('an update without uom/prec keeps the known unit', () => {
  test('replay with uom 67 prec 0, then live without, then live with empty ones', () => {
    const dispatcher = new EventDispatcher();
    const changes: PropertyChange[] = [];
    dispatcher.onProperty((c) => changes.push(c));
    const read = () => dispatcher.mirror.nodes.get('1A 2B 3C 1')?.get('CLITEMP');

    dispatcher.feed(action('1', ' uom="67" prec="0"', 'Mode'), { replay: true });
    expect(read()).toMatchObject({ value: '1', uom: '67', prec: 0, name: 'Mode' });
    dispatcher.feed(action('2', ''));
    expect(read()).toMatchObject({ value: '2', uom: '67', prec: 0, name: 'Mode' });
    dispatcher.feed(action('0', ' uom="" prec=""'));
    expect(read()).toMatchObject({ value: '0', uom: '67', prec: 0, name: 'Mode' });
    expect(changes.map((c) => [c.value, c.uom, c.prec, c.previous])).toEqual([
      ['1', '67', 0, undefined],
      ['2', '67', 0, '1'],
      ['0', '67', 0, '2'],
    ]);
  });

  test('a new unit replaces the old one; the formatted value is never kept', () => {
    const dispatcher = new EventDispatcher();
    dispatcher.feed(eventFrame('ST', '255', '1A 2B 3C 1', { uom: '100', prec: '0', fmtAct: 'On' }));
    dispatcher.feed(eventFrame('ST', '50', '1A 2B 3C 1', { uom: '51', prec: '1' }));
    expect(dispatcher.mirror.nodes.get('1A 2B 3C 1')?.get('ST')).toMatchObject({
      value: '50',
      uom: '51',
      prec: 1,
      formatted: undefined,
    });
  });

  test('an empty uom with nothing known is no unit', () => {
    const dispatcher = new EventDispatcher();
    dispatcher.feed(action('3', ' uom="" prec=""'));
    const state = dispatcher.mirror.nodes.get('1A 2B 3C 1')?.get('CLITEMP');
    expect(state?.uom).toBeUndefined();
    expect(state?.prec).toBeUndefined();
  });
});
