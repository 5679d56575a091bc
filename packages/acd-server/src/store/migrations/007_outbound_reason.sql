-- The system's not-ready reason while an agent makes an outbound call outside the ACD
-- (click-to-dial): no inbound call is offered over it, and the board says why.
insert into not_ready_reasons (code, label_zh, label_en, system, position) values
  ('outbound', '外呼中', 'Outbound call', true, 93)
on conflict (code) do nothing;
