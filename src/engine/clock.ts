/** The engine's only source of time (escrow retry times, log timestamps). Tests pass a fixed or stepped one. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
