//! The single writer thread: beacons queue here, and whatever queued up while
//! the previous commit ran goes into the next one (group commit: one fsync
//! covers every request of the batch, and each is answered only after it). One
//! thread owns the write connection, so requests never contend on its lock.
//!
//! The queue is bounded: when it is full a request is refused at once
//! ([`WriteError::Busy`], a 503 with `Retry-After`) instead of piling up in
//! memory.

use crate::beacon::Event;
use crate::store::Store;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Most requests in one commit (bounds a commit's latency).
const MAX_BATCH: usize = 256;

/// Requests waiting for the writer, by default: a fraction of a second of
/// work under a flood of 100-event requests, so a request that gets in is
/// answered soon, and the others get a 503 at once (the tag retries).
pub const DEFAULT_QUEUE: usize = 256;

/// Work the writer thread runs between commits (retention, erasure).
pub type Task = Box<dyn FnOnce(&Store) + Send>;

/// Where a request's result goes.
type Reply = oneshot::Sender<Result<usize, String>>;

enum Job {
    Insert { events: Vec<Event>, reply: Reply },
    Run(Task),
}

/// Why a write was not done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The queue is full: try again shortly.
    Busy,
    /// The database failed (logged; a 500).
    Store(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Busy => f.write_str("the writer queue is full"),
            WriteError::Store(e) => f.write_str(e),
        }
    }
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread for `store` with a queue of `capacity`
    /// requests. It ends, after finishing what is queued, when every handle is
    /// dropped.
    pub fn spawn(store: Arc<Store>, capacity: usize) -> Writer {
        let (queue, jobs) = mpsc::sync_channel::<Job>(capacity.max(1));
        std::thread::Builder::new()
            .name("microconv-writer".into())
            .spawn(move || run(&store, &jobs))
            .expect("cannot start the writer thread");
        Writer { queue }
    }

    /// Stores one request's events (all or none) durably; resolves to how
    /// many were new, once they are on disk.
    pub async fn write(&self, events: Vec<Event>) -> Result<usize, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .try_send(Job::Insert { events, reply })
            .map_err(|e| match e {
                mpsc::TrySendError::Full(_) => WriteError::Busy,
                mpsc::TrySendError::Disconnected(_) => WriteError::Store("writer stopped".into()),
            })?;
        answer
            .await
            .map_err(|_| WriteError::Store("writer stopped".into()))?
            .map_err(WriteError::Store)
    }

    /// Runs `task` on the writer thread (waits for room in the queue).
    pub async fn run<T: Send + 'static>(
        &self,
        task: impl FnOnce(&Store) -> T + Send + 'static,
    ) -> Result<T, WriteError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Run(Box::new(move |s: &Store| {
            let _ = reply.send(task(s));
        }));
        let queue = self.queue.clone();
        tokio::task::spawn_blocking(move || queue.send(job))
            .await
            .map_err(|e| WriteError::Store(e.to_string()))?
            .map_err(|_| WriteError::Store("writer stopped".into()))?;
        answer
            .await
            .map_err(|_| WriteError::Store("writer stopped".into()))
    }
}

fn run(store: &Store, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut inserts = Vec::new();
        let mut tasks = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Insert { events, reply } => inserts.push((events, reply)),
                Job::Run(task) => tasks.push(task),
            }
            if inserts.len() < MAX_BATCH {
                next = jobs.try_recv().ok();
            }
        }
        if !inserts.is_empty() {
            commit(store, inserts);
        }
        for task in tasks {
            task(store);
        }
        store.keep_wal_bounded();
    }
}

fn commit(store: &Store, batch: Vec<(Vec<Event>, Reply)>) {
    let requests: Vec<&[Event]> = batch.iter().map(|(e, _)| e.as_slice()).collect();
    match store.insert_batch(&requests) {
        Ok(results) => {
            for ((_, reply), r) in batch.into_iter().zip(results) {
                let _ = reply.send(r.map_err(|e| e.to_string()));
            }
        }
        Err(e) => {
            let msg = e.to_string();
            for (_, reply) in batch {
                let _ = reply.send(Err(msg.clone()));
            }
        }
    }
}
