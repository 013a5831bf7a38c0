import {
  describe as describeCode,
  decodeHeartbeat,
  decodeLifecycle,
  decodeProgramStatus,
  decodeSystemStatus,
  decodeVariable,
  decodeVariableTableChange,
  LIFECYCLE_VERBS,
  parseEventFrame,
  SYSTEM_CONTROLS,
  TRIGGER_ACTIONS,
  type IoxEvent,
} from '../../src/dispatcher';
import { decodeEntities, repairStrayAmpersands } from '../../src/dispatcher/entities';

const event = (control: string, action: string, eventInfo = '', node = ''): IoxEvent =>
  parseEventFrame(
    `<Event seqnum="1"><control>${control}</control><action>${action}</action><node>${node}</node><eventInfo>${eventInfo}</eventInfo></Event>`,
  )!;

describe('code tables and describe()', () => {
  test('every system control _0.._28 has a label; trigger actions 0..9 too', () => {
    for (let i = 0; i <= 28; i++) expect(SYSTEM_CONTROLS).toHaveProperty(`_${i}`);
    for (let i = 0; i <= 9; i++) expect(TRIGGER_ACTIONS).toHaveProperty(String(i));
    expect(Object.keys(LIFECYCLE_VERBS)).toHaveLength(28);
  });

  test('labels for known and unknown codes', () => {
    expect(describeCode('_1', '6')).toBe('Trigger: Variable value');
    expect(describeCode('_3', 'WH')).toBe('Node lifecycle: Pending device operation');
    expect(describeCode('_5', '3')).toBe('System status: Safe mode');
    expect(describeCode('_0', '90')).toBe('Heartbeat (next within 90 s)');
    expect(describeCode('_28', '1.3')).toBe('Matter: 1.3');
    expect(describeCode('_1', '42')).toBe('Trigger: 42');
    expect(describeCode('_99', 'X')).toBe('Unknown system event _99: X');
    expect(describeCode('ST', '255')).toBe('Status = 255');
    expect(describeCode('DON', '0')).toBe('On (command)');
    expect(describeCode('GV7', '1')).toBe('GV7 = 1');
    expect(describeCode('constructor', 'x')).toBe('constructor = x');
    expect(describeCode('__proto__', 'x')).toBe('Unknown system event __proto__: x');
    expect(describeCode('_constructor', '')).toBe('Unknown system event _constructor');
  });
});

describe('decoders', () => {
  test('program status nibbles', () => {
    expect(decodeProgramStatus(event('_1', '0', '<id>1A</id><s>F3</s>'))).toMatchObject({
      id: '1A',
      runState: 'else',
      evaluation: 'notLoaded',
    });
    expect(decodeProgramStatus(event('_1', '0', '<id>2</id><s>10</s>'))).toMatchObject({
      runState: 'unknown',
      evaluation: 'unknown',
      enabled: undefined,
    });
    expect(decodeProgramStatus(event('_1', '0', '<id>2</id><s>zz</s>'))).toMatchObject({
      statusCode: undefined,
      runState: 'unknown',
    });
    expect(decodeProgramStatus(event('_1', '0', '<s>21</s>'))).toBeNull();
    expect(decodeProgramStatus(event('_1', '6', '<id>1</id>'))).toBeNull();
  });

  test('variables: value, init, bad payloads', () => {
    expect(decodeVariable(event('_1', '6', '<var type="1" id="3"><val>2.5</val></var>'))).toMatchObject({
      kind: 'value',
      type: 1,
      id: 3,
      value: 2.5,
    });
    expect(decodeVariable(event('_1', '7', '<var type="2" id="4"><init>-7</init></var>'))).toMatchObject({
      kind: 'init',
      init: -7,
    });
    expect(decodeVariable(event('_1', '6', '<var type="1"><val>1</val></var>'))).toBeNull();
    expect(decodeVariable(event('_1', '6', '<var type="1" id="1"><val>abc</val></var>'))).toBeNull();
    expect(decodeVariable(event('_1', '6', ''))).toBeNull();
  });

  test('variable table changed, both wire shapes', () => {
    expect(decodeVariableTableChange(event('_1', '9', '<var type="2" id="0"/>'))).toEqual({ type: 2, id: 0 });
    expect(decodeVariableTableChange(event('_1', '9', '<var><type>1</type><id>0</id></var>'))).toEqual({
      type: 1,
      id: 0,
    });
    expect(decodeVariableTableChange(event('_1', '9', ''))).toEqual({});
  });

  test('lifecycle: ND carries node XML, EN the flag, reload flags', () => {
    const nd = decodeLifecycle(
      event('_3', 'ND', '<node flag="128"><address>1 2 3 1</address><name>Lamp &amp; co</name></node>', '1 2 3 1'),
    );
    expect(nd).toMatchObject({
      verb: 'ND',
      label: 'Node added',
      address: '1 2 3 1',
      requiresReload: true,
      nodeXml: '<node flag="128"><address>1 2 3 1</address><name>Lamp &amp; co</name></node>',
    });
    expect(decodeLifecycle(event('_3', 'EN', '<enabled>false</enabled>', 'A'))).toMatchObject({
      enabled: false,
      requiresReload: true,
    });
    expect(decodeLifecycle(event('_3', 'NN', '<newName>Kitchen &amp; Bath</newName>', 'A'))).toMatchObject({
      newName: 'Kitchen & Bath',
    });
    expect(decodeLifecycle(event('_3', 'CE', '', 'A'))).toEqual({
      verb: 'CE',
      label: 'Node communication error cleared',
      address: 'A',
      requiresReload: false,
    });
    expect(decodeLifecycle(event('_3', 'ZZ', '', 'A'))).toMatchObject({
      verb: 'ZZ',
      label: 'ZZ',
      requiresReload: false,
    });
  });

  test('system status and heartbeat', () => {
    expect(decodeSystemStatus(event('_5', '2'))).toEqual({ code: '2', state: 'idle', label: 'Idle' });
    expect(decodeSystemStatus(event('_5', '7'))).toMatchObject({ state: 'unknown' });
    expect(decodeHeartbeat(event('_0', '90'))).toEqual({ maxSilenceSeconds: 90 });
    expect(decodeHeartbeat(event('_0', 'x'))).toBeNull();
    // An accelerated simulator promises fractions of a second; the watchdog and listeners agree on them.
    expect(decodeHeartbeat(event('_0', '0.9'))).toEqual({ maxSilenceSeconds: 0.9 });
    expect(decodeHeartbeat(event('_0', ' 120 '))).toEqual({ maxSilenceSeconds: 120 });
    expect(decodeHeartbeat(event('_0', ''))).toBeNull();
    expect(decodeHeartbeat(event('_0', '0'))).toBeNull();
    expect(decodeHeartbeat(event('_0', '-5'))).toBeNull();
    expect(decodeHeartbeat(event('_5', '90'))).toBeNull();
  });
});

describe('entities', () => {
  test('decode: predefined and numeric only, never unknown names', () => {
    expect(decodeEntities('&lt;a&gt; &amp;amp; &quot;&apos; &#x26; &#38; &nbsp; &xxe; & ;')).toBe(
      `<a> &amp; "' & & &nbsp; &xxe; & ;`,
    );
  });

  test('repair: stray & escaped outside CDATA only; untouched input returned as is', () => {
    expect(repairStrayAmpersands('a&b &amp; &#1; &x; <![CDATA[&]]> & <![CDATA[x]]>&')).toBe(
      'a&amp;b &amp; &#1; &x; <![CDATA[&]]> &amp; <![CDATA[x]]>&amp;',
    );
    const clean = 'x &amp; y';
    expect(repairStrayAmpersands(clean)).toBe(clean);
  });
});
