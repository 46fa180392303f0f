/** Where an outbound delivery goes: a configured webhook, the chat notify URL, a policy's escalateTo, or Teams. */
export const DELIVERY_TARGETS = ['webhook', 'slack', 'escalation', 'teams'] as const;
export type DeliveryTarget = (typeof DELIVERY_TARGETS)[number];
