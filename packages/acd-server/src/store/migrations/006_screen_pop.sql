-- Screen pop per queue: the business-system page (queues.screen_pop_url, a template filled with
-- {callId}, {caller} and {data.<key>}) opens beside the call in the desk (iframe) or in a new
-- browser tab, when the call is answered or already when it is offered.

alter table queues add column screen_pop_mode text not null default 'iframe'
  check (screen_pop_mode in ('iframe', 'tab'));
alter table queues add column screen_pop_when text not null default 'answered'
  check (screen_pop_when in ('answered', 'offered'));
