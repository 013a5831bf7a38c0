import { LocalAuth } from '../../src';

describe('LocalAuth', () => {
  it('sends Basic credentials as base64 of their UTF-8 bytes (RFC 7617), with no Node Buffer needed', () => {
    for (const [user, password] of [
      ['admin', 's3cret'],
      ['admin', 'pässwörd €'],
      ['ユーザー', '密码:with:colons'],
    ]) {
      const expected = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
      expect(new LocalAuth(user, password).headers()).toEqual({ Authorization: expected });
    }
  });
});
