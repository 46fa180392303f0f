/** Where an outbound delivery goes: a configured webhook, the chat notify URL, or a policy's escalateTo. */
export const DELIVERY_TARGETS = ['webhook', 'slack', 'escalation'] as const;
export type DeliveryTarget = (typeof DELIVERY_TARGETS)[number];
