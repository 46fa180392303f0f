/** Where an outbound delivery goes: a configured webhook, or the chat notify URL. */
export const DELIVERY_TARGETS = ['webhook', 'slack'] as const;
export type DeliveryTarget = (typeof DELIVERY_TARGETS)[number];
