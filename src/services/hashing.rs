//! Password hashing on a small fixed set of threads. An argon2 check takes about 19 MiB and tens
//! of milliseconds of CPU; run on the runtime's blocking pool, a burst of wrong sign-ins started
//! hundreds at once and the process grew by gigabytes that it never gave back. Here at most one
//! check per two cores runs at a time, the same few threads (and so the same few allocator arenas)
//! do every check, each in working memory of its own that it keeps and reuses (argon2's own
//! `verify_password` allocated 19 MiB per check, and the allocator kept much of it), and a burst
//! longer than the queue is told to come back shortly. Memory for hashing is thus fixed at
//! threads × 19 MiB however many sign-ins arrive.

use std::cell::RefCell;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::AppError;

/// Checks waiting beyond the ones running; more than this at once answer 503 with Retry-After.
const QUEUE: usize = 64;

type Job = Box<dyn FnOnce() + Send>;

fn queue() -> &'static SyncSender<Job> {
    static QUEUE_SENDER: OnceLock<SyncSender<Job>> = OnceLock::new();
    QUEUE_SENDER.get_or_init(|| {
        // Half the cores: the other half keep serving pages while a burst of sign-ins is checked.
        let threads = std::thread::available_parallelism()
            .map(|n| n.get() / 2)
            .unwrap_or(1)
            .clamp(1, 8);
        let (sender, receiver) = sync_channel::<Job>(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || work(&receiver));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "a password hashing thread could not start");
            }
        }
        sender
    })
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job, not while running it.
        let next = match receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Runs `work` on a hashing thread and waits for its answer.
///
/// # Errors
/// 503 (with Retry-After) when the queue is full; 500 if the hashing threads are gone.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    match queue().try_send(job) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            tracing::warn!("password checks queue full; asking the client to come back");
            return Err(AppError::Busy {
                retry_after_secs: 1,
            });
        }
        Err(TrySendError::Disconnected(_)) => {
            return Err(AppError::Internal("no password hashing thread".into()))
        }
    }
    answered
        .await
        .map_err(|_| AppError::Internal("a password hashing thread failed".into()))
}

/// The largest argon2 memory a stored hash may ask for (64 MiB; ours use 19 MiB): a hash asking
/// for more is refused rather than computed.
const MAX_BLOCKS: usize = 64 * 1024;

thread_local! {
    /// This thread's argon2 working memory, reused by every check it runs.
    static BLOCKS: RefCell<Vec<argon2::Block>> = const { RefCell::new(Vec::new()) };
}

/// Whether `password` matches the argon2 PHC string `hash` (as argon2's `verify_password`
/// decides, compared in constant time), computed in this thread's reused memory. Call it on a
/// hashing thread, through [`run`].
pub fn verify(password: &[u8], hash: &str) -> bool {
    use argon2::password_hash::{Output, PasswordHash};
    use argon2::{Algorithm, Argon2, Params, Version};
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let needed = params.block_count();
    if needed > MAX_BLOCKS {
        tracing::warn!(
            blocks = needed,
            "a stored password hash asks for too much memory"
        );
        return false;
    }
    let mut salt_buffer = [0_u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let mut computed = vec![0_u8; expected.len()];
    let hashed = BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < needed {
            blocks.resize(needed, argon2::Block::default());
        }
        Argon2::new(algorithm, version.unwrap_or_default(), params).hash_password_into_with_memory(
            password,
            salt,
            &mut computed,
            &mut blocks[..needed],
        )
    });
    hashed.is_ok() && Output::new(&computed).is_ok_and(|c| c == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifying_in_reused_memory_agrees_with_argon2() {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut OsRng);
        let hash = argon2::Argon2::default()
            .hash_password(b"tea garden by the river", &salt)
            .unwrap()
            .to_string();
        assert!(verify(b"tea garden by the river", &hash));
        assert!(!verify(b"tea garden by the sea", &hash));
        // Twice on one thread: the memory of the first check is reused, the answer the same.
        assert!(verify(b"tea garden by the river", &hash));
        assert!(!verify(b"", &hash));
        assert!(!verify(b"x", "not a hash"));
        assert!(!verify(
            b"x",
            "$argon2id$v=19$m=1048576,t=2,p=1$c29tZXNhbHQ$aGFzaA"
        ));
    }

    #[tokio::test]
    async fn work_runs_on_a_hashing_thread_and_answers() {
        let name = run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.unwrap_or_default().starts_with("password-hash-"));
    }
}
