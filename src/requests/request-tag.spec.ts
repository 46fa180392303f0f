import { requestTag, tagMatches } from './request-tag';

describe('request entity tags', () => {
  it('changes with the row version and with the approvals', () => {
    expect(requestTag(3, 1)).toBe('W/"3.1"');
    expect(requestTag(4, 1)).not.toBe(requestTag(3, 1));
    expect(requestTag(3, 2)).not.toBe(requestTag(3, 1));
  });

  it('matches If-None-Match weakly, in a list, and for *', () => {
    const tag = requestTag(3, 1);
    expect(tagMatches('W/"3.1"', tag)).toBe(true);
    expect(tagMatches('"3.1"', tag)).toBe(true);
    expect(tagMatches('W/"2.1", W/"3.1"', tag)).toBe(true);
    expect(tagMatches('*', tag)).toBe(true);
    expect(tagMatches('W/"3.2"', tag)).toBe(false);
    expect(tagMatches('W/"13.1"', tag)).toBe(false);
    expect(tagMatches('', tag)).toBe(false);
  });
});
