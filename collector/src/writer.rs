//! The single writer thread: beacons queue here, and whatever queued up while
//! the previous commit ran goes into the next one (group commit). One thread
//! owns the write connection, so requests never contend on its lock.

use crate::beacon::Event;
use crate::store::Store;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Most requests in one commit (bounds a commit's latency).
const MAX_BATCH: usize = 256;

struct Job {
    events: Vec<Event>,
    reply: oneshot::Sender<Result<usize, String>>,
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread for `store`. It ends when every handle is dropped.
    pub fn spawn(store: Arc<Store>) -> Writer {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("microconv-writer".into())
            .spawn(move || run(&store, &jobs))
            .expect("cannot start the writer thread");
        Writer { queue }
    }

    /// Stores one request's events (all or none); resolves to how many were new.
    pub async fn write(&self, events: Vec<Event>) -> Result<usize, String> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { events, reply })
            .map_err(|_| "writer stopped".to_string())?;
        answer.await.map_err(|_| "writer stopped".to_string())?
    }
}

fn run(store: &Store, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let requests: Vec<&[Event]> = batch.iter().map(|j| j.events.as_slice()).collect();
        match store.insert_batch(&requests) {
            Ok(results) => {
                for (job, r) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(r.map_err(|e| e.to_string()));
                }
            }
            Err(e) => {
                let msg = e.to_string();
                for job in batch {
                    let _ = job.reply.send(Err(msg.clone()));
                }
            }
        }
    }
}
