import { slackSignature, verifySlackSignature } from './slack-signature';

// The worked example of Slack's "Verifying requests from Slack" documentation.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack request signatures', () => {
  const base = {
    secret: DOC_SECRET,
    timestamp: DOC_TIMESTAMP,
    signature: DOC_SIGNATURE,
    rawBody: Buffer.from(DOC_BODY),
    nowSeconds: Number(DOC_TIMESTAMP) + 10,
  };

  it('computes the signature of the documented example', () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });

  it('accepts the documented example within five minutes (either side)', () => {
    expect(verifySlackSignature(base)).toEqual({ ok: true });
    expect(verifySlackSignature({ ...base, nowSeconds: Number(DOC_TIMESTAMP) + 300 })).toEqual({ ok: true });
    expect(verifySlackSignature({ ...base, nowSeconds: Number(DOC_TIMESTAMP) - 300 })).toEqual({ ok: true });
  });

  it('refuses a timestamp more than five minutes old or ahead', () => {
    expect(verifySlackSignature({ ...base, nowSeconds: Number(DOC_TIMESTAMP) + 301 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/five minutes/),
    });
    expect(verifySlackSignature({ ...base, nowSeconds: Number(DOC_TIMESTAMP) - 301 })).toMatchObject({ ok: false });
  });

  it('refuses a changed body, secret or timestamp, and malformed headers', () => {
    expect(
      verifySlackSignature({ ...base, rawBody: Buffer.from(DOC_BODY.replace('roadrunner', 'coyote')) }),
    ).toMatchObject({ ok: false, reason: 'The Slack signature does not match' });
    expect(verifySlackSignature({ ...base, secret: `${DOC_SECRET}x` })).toMatchObject({ ok: false });
    expect(verifySlackSignature({ ...base, timestamp: String(Number(DOC_TIMESTAMP) + 1) })).toMatchObject({
      ok: false,
    });
    expect(verifySlackSignature({ ...base, signature: DOC_SIGNATURE.slice(0, -1) })).toMatchObject({ ok: false });
    expect(verifySlackSignature({ ...base, signature: undefined })).toMatchObject({ ok: false });
    expect(verifySlackSignature({ ...base, timestamp: '1531420618.5' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Unix time/),
    });
  });
});
