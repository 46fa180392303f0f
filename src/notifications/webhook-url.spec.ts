import { redactUrl, splitCredentials } from './webhook-url';

describe('webhook URLs', () => {
  it('redacts credentials and query strings, and the whole path of Slack webhooks', () => {
    expect(redactUrl('https://user:s3cret@tickets.example.com/hooks/rbcd?token=abc')).toBe(
      'https://tickets.example.com/hooks/rbcd?…',
    );
    expect(redactUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET', 'slack')).toBe(
      'https://hooks.slack.com/…',
    );
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });

  it('moves user info into a Basic Authorization header', () => {
    expect(splitCredentials('https://bot:p%40ss@example.com/h')).toEqual({
      url: 'https://example.com/h',
      authorization: `Basic ${Buffer.from('bot:p@ss').toString('base64')}`,
    });
    expect(splitCredentials('https://example.com/h')).toEqual({ url: 'https://example.com/h' });
  });
});
