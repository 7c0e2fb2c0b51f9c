/** The ACP version the checkout-session bodies are written to (`ProtocolVersion.version`). */
export const ACP_PROTOCOL_VERSION = '2026-04-17';
