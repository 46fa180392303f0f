// Audit events for a Splunk HTTP Event Collector: one JSON object per event, concatenated (HEC's
// batch format), each with the stored event (seq, hash and prevHash included) as `event`.
import type { AuditEventView } from '../audit.types';
import { jsonBody } from './syslog-message';

export interface HecOptions {
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
}

export function hecBatch(events: AuditEventView[], options: HecOptions): string {
  return events
    .map((event) => {
      const envelope = `{"time":${(Date.parse(event.at) / 1000).toFixed(3)},"host":${JSON.stringify(options.host)},"source":${JSON.stringify(options.source)},"sourcetype":${JSON.stringify(options.sourcetype)}${options.index ? `,"index":${JSON.stringify(options.index)}` : ''},"event":`;
      return `${envelope}${jsonBody(event)}}`;
    })
    .join('\n');
}
