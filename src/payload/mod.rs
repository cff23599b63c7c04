//! Beacon payloads: the JSON the collector receives, written by hand so the
//! tag carries no JSON serializer.
//!
//! Body: `{"v":1,"sent_at":<ms>,"events":[...]}`; each event
//! `{"id","conversion","trigger","at","page":{"url","path","title","referrer"},"vars":{...}}`.
