-- Real-time voice stream per queue: answered calls of the queue send their audio (caller left,
-- agent right, 16-bit 8 kHz PCM after a JSON header) to this WebSocket, e.g. a speech-to-text
-- service that drafts the ticket while the agent talks. Null = no stream.
alter table queues add column voice_stream_url text
  check (voice_stream_url is null or voice_stream_url ~ '^wss?://');
