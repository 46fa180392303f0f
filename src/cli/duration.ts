import { UsageError } from './exit-codes';

/** `8h`, `30m`, `2d`, `1d12h` or an ISO 8601 duration (PT8H) → ISO 8601, as the API takes it. */
export function toIsoDuration(text: string): string {
  if (/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/i.test(text)) return text.toUpperCase();
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/i.exec(text);
  if (!match || text === '')
    throw new UsageError(`--for: "${text}" is not a duration (8h, 30m, 2d, 1d12h or ISO 8601 such as PT8H)`);
  const [, d, h, m] = match;
  const time = `${h ? `${Number(h)}H` : ''}${m ? `${Number(m)}M` : ''}`;
  return `P${d ? `${Number(d)}D` : ''}${time ? `T${time}` : ''}`;
}
