//! Runs jobs (files to lint) on a pool of workers and hands their outcomes to the caller in job
//! order, with a bounded window of jobs in flight and a budget for the weight (the bytes) of the
//! jobs started and not yet reported: memory follows the largest files, not the tree.
//!
//! Threads meet on one board (a mutex and two condition variables) and wake each other only in
//! batches: the reporting thread when several outcomes are ready in order (or the last ones
//! are, or some have waited 50 ms, or the walk waits for weight), the walking thread after a
//! batch is reported that lets it start its next job.
//! Waking a thread per file cost several context switches a file, a few percent of a run over
//! small pages.

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How far the walk may run ahead of the reporting.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    /// No job starts this many or more past the next one to report.
    pub jobs: usize,
    /// No job starts that would bring the weight of the jobs started and not yet reported past
    /// this, unless they hold none (so a job that weighs more on its own still starts, with
    /// only weightless jobs beside it).
    pub weight: usize,
}

impl Window {
    /// The walk refills the window, and the reporter takes outcomes, half a window at a time.
    fn batch(self) -> usize {
        self.jobs / 2
    }
}

/// A finished job, its outcome and the job's weight.
type Done<J, O> = (J, O, usize);

/// The job the walk waits to start, and its weight.
#[derive(Clone, Copy)]
struct Waiting {
    index: usize,
    weight: usize,
}

/// What the walking, linting and reporting threads share.
struct Board<J, O> {
    /// Finished jobs not yet taken for reporting, by index.
    done: BTreeMap<usize, Done<J, O>>,
    /// The weight of the jobs started and not yet reported.
    held: usize,
    /// Jobs taken for reporting: the next to take has this index.
    taken: usize,
    /// Jobs reported: the walk starts no job `window.jobs` or more past this one.
    reported: usize,
    /// The number of jobs, once the walk is over.
    total: Option<usize>,
    /// The reporting thread waits for outcomes.
    reporter_waits: bool,
    /// The walking thread waits to start this job (its index and weight).
    walker_waits_for: Option<Waiting>,
    /// Reporting failed: the walk stops.
    stopped: bool,
    /// A job ended without an outcome (its `on_panic` panicked too): the outcomes after it can
    /// never come in order, so reporting ends, and the job's panic goes on from the scope.
    lost: bool,
}

impl<J, O> Board<J, O> {
    /// How many finished jobs follow the last taken one without a gap.
    fn ready(&self) -> usize {
        self.done
            .keys()
            .zip(self.taken..)
            .take_while(|(index, expected)| *index == expected)
            .count()
    }

    /// Whether the reporting thread has outcomes enough to take: a batch, the last ones (or
    /// none will come), or any while the walk waits for their weight to go (a batch may never
    /// fill then).
    fn worth_taking(&self, window: Window) -> bool {
        let ready = self.ready();
        ready >= window.batch()
            || self.total.is_some_and(|total| self.taken + ready >= total)
            || self.lost
            || (ready > 0
                && self
                    .walker_waits_for
                    .is_some_and(|next| !self.weight_allows(next.weight, window)))
    }

    /// Whether the walk may start a job of this index and weight.
    fn may_start(&self, next: Waiting, window: Window) -> bool {
        next.index < self.reported + window.jobs && self.weight_allows(next.weight, window)
    }

    /// Whether the weight budget has room for a job of this weight.
    fn weight_allows(&self, weight: usize, window: Window) -> bool {
        self.held == 0 || self.held.saturating_add(weight) <= window.weight
    }
}

/// The board, its lock and the two threads' wake-ups.
struct Shared<J, O> {
    board: Mutex<Board<J, O>>,
    reporter: Condvar,
    walker: Condvar,
    /// Set with `Board::stopped`, read without the lock by jobs about to start.
    stop: AtomicBool,
}

impl<J, O> Shared<J, O> {
    /// The board, also after a panic elsewhere (every update leaves it consistent).
    fn lock(&self) -> MutexGuard<'_, Board<J, O>> {
        self.board.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Lints every job on `pool` and hands each outcome to `each` in job order, as soon as it, the
/// jobs before it and a batch after it are done (the last ones without waiting for a batch, none
/// waiting more than 50 ms for one, and none at all while the walk waits for weight), then drops
/// it. Jobs are taken from the iterator (the walk) as they come, at most `window.jobs` past the
/// next one to report, and while the jobs started and not yet reported weigh at most
/// `window.weight` (by `weigh`, a file's size) or nothing: only the outcomes waiting behind a
/// slow file are held, and few when they are large. A job whose lint panics gets `on_panic`'s
/// outcome, and the rest still run. The first error from `each` stops the run (jobs not yet
/// started are skipped) and is returned; a panic in `each`, in the walk or in `on_panic` stops
/// it too, and goes on from here (never a hang).
pub(crate) fn in_order<J: Send, O: Send>(
    pool: &rayon::ThreadPool,
    jobs: impl Iterator<Item = J> + Send,
    window: Window,
    lint: impl Fn(&J) -> O + Sync,
    weigh: impl Fn(&J) -> usize + Sync,
    on_panic: impl Fn(&(dyn Any + Send)) -> O + Sync,
    mut each: impl FnMut(&J, O) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let window = Window {
        jobs: window.jobs.max(2),
        ..window
    };
    let shared = Shared {
        board: Mutex::new(Board {
            done: BTreeMap::new(),
            held: 0,
            taken: 0,
            reported: 0,
            total: None,
            reporter_waits: false,
            walker_waits_for: None,
            stopped: false,
            lost: false,
        }),
        reporter: Condvar::new(),
        walker: Condvar::new(),
        stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        scope.spawn(|| walk(pool, jobs, window, &shared, &weigh, &lint, &on_panic));
        // However reporting ends (an error from `each`, a panic in it, or the end), the walk is
        // told to stop, or it could wait for the window for ever and the scope with it.
        let _stop_walk = StopOnDrop(&shared);
        loop {
            let taken = take(&shared, window);
            if taken.is_empty() {
                return Ok(());
            }
            let count = taken.len();
            let mut weight = 0;
            for (job, outcome, its_weight) in taken {
                each(&job, outcome)?;
                weight += its_weight;
            }
            let mut board = shared.lock();
            board.reported += count;
            board.held -= weight;
            if board
                .walker_waits_for
                .is_some_and(|next| board.may_start(next, window))
            {
                board.walker_waits_for = None;
                shared.walker.notify_one();
            }
        }
    })
}

/// The walking thread: starts each job on the pool once the window has room for it. The pool's
/// workers only lint: a worker must never wait for another job, since a lint that ran rayon
/// itself (claimlint's once did; its regex compile now has threads of its own) would take up
/// queued jobs while it waits, so a wait there could be for the very job suspended beneath it.
fn walk<J: Send, O: Send>(
    pool: &rayon::ThreadPool,
    jobs: impl Iterator<Item = J>,
    window: Window,
    shared: &Shared<J, O>,
    weigh: &impl Fn(&J) -> usize,
    lint: &(impl Fn(&J) -> O + Sync),
    on_panic: &(impl Fn(&(dyn Any + Send)) -> O + Sync),
) {
    pool.in_place_scope(|pool| {
        // However the walk ends (also by a panic in the walk itself), the reporter learns how
        // many jobs there are, or it would wait for ever for the next.
        let mut walked = WalkEnd {
            shared,
            window,
            count: 0,
        };
        for (i, job) in jobs.enumerate() {
            let next = Waiting {
                index: i,
                weight: weigh(&job),
            };
            let mut board = shared.lock();
            // A wait for weight is never for ever: the weight held is that of jobs started, and
            // the reporter will take them.
            while !board.may_start(next, window) && !board.stopped {
                board.walker_waits_for = Some(next);
                // The reporter may be waiting for a batch that the walk holds back.
                wake_reporter(&mut board, shared, window);
                board = shared.walker.wait(board).unwrap_or_else(|e| e.into_inner());
            }
            board.walker_waits_for = None;
            // Once the run stops, the walk stops too.
            if board.stopped {
                return;
            }
            board.held += next.weight;
            drop(board);
            walked.count = i + 1;
            pool.spawn(move |_| {
                if shared.stop.load(Ordering::Relaxed) {
                    return;
                }
                let no_outcome = NoOutcome { shared, window };
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| lint(&job)))
                    .unwrap_or_else(|panic| on_panic(&*panic));
                std::mem::forget(no_outcome);
                let mut board = shared.lock();
                board.done.insert(i, (job, outcome, next.weight));
                wake_reporter(&mut board, shared, window);
            });
        }
    });
}

/// Tells the reporter, when dropped, how many jobs the walk started.
struct WalkEnd<'a, J, O> {
    shared: &'a Shared<J, O>,
    window: Window,
    count: usize,
}

impl<J, O> Drop for WalkEnd<'_, J, O> {
    fn drop(&mut self) {
        let mut board = self.shared.lock();
        board.total = Some(self.count);
        wake_reporter(&mut board, self.shared, self.window);
    }
}

/// Dropped only when a job ends without an outcome (its `on_panic` panicked): marks the board
/// `lost`, so the reporter stops waiting for it.
struct NoOutcome<'a, J, O> {
    shared: &'a Shared<J, O>,
    window: Window,
}

impl<J, O> Drop for NoOutcome<'_, J, O> {
    fn drop(&mut self) {
        let mut board = self.shared.lock();
        board.lost = true;
        wake_reporter(&mut board, self.shared, self.window);
    }
}

/// Wakes the reporting thread if it waits and has something worth taking.
fn wake_reporter<J, O>(board: &mut Board<J, O>, shared: &Shared<J, O>, window: Window) {
    if board.reporter_waits && board.worth_taking(window) {
        board.reporter_waits = false;
        shared.reporter.notify_one();
    }
}

/// How long outcomes that are ready wait for the rest of their batch.
const BATCH_WAIT: Duration = Duration::from_millis(50);

/// The next outcomes in order, once a batch of them (or the last ones) are done, once some have
/// waited `BATCH_WAIT`, or as soon as any are while the walk waits for weight; empty at the end.
fn take<J, O>(shared: &Shared<J, O>, window: Window) -> Vec<Done<J, O>> {
    let mut board = shared.lock();
    while !board.worth_taking(window) {
        board.reporter_waits = true;
        let (guard, waited) = shared
            .reporter
            .wait_timeout(board, BATCH_WAIT)
            .unwrap_or_else(|e| e.into_inner());
        board = guard;
        // A slow walk (a network drive) must not hold back what is done.
        if waited.timed_out() && board.ready() > 0 {
            break;
        }
    }
    board.reporter_waits = false;
    if board.lost {
        return Vec::new();
    }
    let ready = board.ready();
    let mut taken = Vec::with_capacity(ready);
    for index in board.taken..board.taken + ready {
        if let Some(outcome) = board.done.remove(&index) {
            taken.push(outcome);
        }
    }
    board.taken += ready;
    taken
}

/// Stops the walk when dropped: sets the stop flags under the board's lock, so the walking
/// thread cannot miss the wake-up between its check and its wait.
struct StopOnDrop<'a, J, O>(&'a Shared<J, O>);

impl<J, O> Drop for StopOnDrop<'_, J, O> {
    fn drop(&mut self) {
        let mut board = self.0.lock();
        board.stopped = true;
        self.0.stop.store(true, Ordering::Relaxed);
        self.0.walker.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    /// A pool of `threads` workers.
    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// A window of `jobs` jobs and no weight limit.
    fn jobs_only(jobs: usize) -> Window {
        Window {
            jobs,
            weight: usize::MAX,
        }
    }

    /// `in_order` on two threads, a window of 16, over jobs that are their own outcome.
    fn numbers_in_order(
        jobs: impl Iterator<Item = usize> + Send,
        each: impl FnMut(&usize, usize) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        in_order(&pool(2), jobs, jobs_only(16), |&i| i, |_| 1, |_| 0, each)
    }

    /// Runs `count` numbered jobs, each sleeping a little for some, and returns the indices in
    /// the order reported, checking as it goes that no job started a window or more past the
    /// one being reported.
    fn run(count: usize, window: usize) -> Vec<usize> {
        let pool = pool(3);
        let started = AtomicUsize::new(0);
        let mut order = Vec::new();
        let result = in_order(
            &pool,
            0..count,
            jobs_only(window),
            |&i| {
                started.fetch_add(1, Ordering::SeqCst);
                // Early jobs finish late, so later ones pile up behind them.
                if i % 7 == 0 {
                    std::thread::sleep(Duration::from_micros(300));
                }
                i * 10
            },
            |_| 1,
            |_| usize::MAX,
            |&i, outcome| {
                assert_eq!(outcome, i * 10);
                let started = started.load(Ordering::SeqCst);
                assert!(started <= i + window, "{started} started at {i}");
                order.push(i);
                Ok(())
            },
        );
        assert!(result.is_ok());
        order
    }

    /// A last batch smaller than the others must still be handed over, not waited for.
    #[test]
    fn every_job_is_reported_once_in_order_whatever_the_count() {
        let (finished, deadline) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for window in [2, 3, 8, 16] {
                for count in [
                    0,
                    1,
                    2,
                    window / 2 + 1,
                    window,
                    window + 1,
                    3 * window + 1,
                    500,
                ] {
                    assert_eq!(
                        run(count, window),
                        (0..count).collect::<Vec<_>>(),
                        "{count} jobs, window {window}"
                    );
                }
            }
            let _ = finished.send(());
        });
        deadline
            .recv_timeout(Duration::from_secs(60))
            .expect("the jobs were not all reported within a minute");
    }

    /// `f` on its own thread, which must end (by returning or panicking) within a minute.
    fn ends_within_a_minute<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::thread::Result<T> {
        let (finished, deadline) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = finished.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
        });
        deadline
            .recv_timeout(Duration::from_secs(60))
            .expect("the run did not end within a minute: a hang")
    }

    /// A bug in the outcome of a panicking job ends the run with its panic: the reporter does
    /// not wait for ever for an outcome that cannot come.
    #[test]
    fn a_panic_in_on_panic_ends_the_run() {
        let on_panic_panics = ends_within_a_minute(move || {
            let _ = in_order(
                &pool(2),
                0..100usize,
                jobs_only(16),
                |&i| {
                    assert_ne!(i, 3, "a lint bug");
                    i
                },
                |_| 0,
                |_| panic!("a bug in on_panic"),
                |_, _| Ok(()),
            );
        });
        assert!(on_panic_panics.is_err());
    }

    /// Outcomes that are done are reported while the walk waits for something (here, for
    /// those very reports), not held back until a batch fills.
    #[test]
    fn a_slow_walk_does_not_hold_back_what_is_done() {
        let result = ends_within_a_minute(|| {
            let (seen_two, wait_for_two) = std::sync::mpsc::channel();
            let jobs = (0..40usize).inspect(move |&i| {
                if i == 3 {
                    wait_for_two.recv().unwrap();
                }
            });
            let mut order = Vec::new();
            let result = numbers_in_order(jobs, |&i, _| {
                order.push(i);
                if i == 2 {
                    seen_two.send(()).unwrap();
                }
                Ok(())
            });
            (result.is_ok(), order)
        });
        let (ok, order) = result.unwrap();
        assert!(ok);
        assert_eq!(order, (0..40).collect::<Vec<_>>());
    }

    /// A bug in the walk ends the run with its panic, once the jobs it started before are
    /// reported, in order.
    #[test]
    fn the_jobs_before_a_walk_panic_are_reported() {
        let reported = std::sync::Arc::new(Mutex::new(Vec::new()));
        let seen = reported.clone();
        let result = ends_within_a_minute(move || {
            let jobs = (0..100usize).inspect(|&i| assert_ne!(i, 5, "a walk bug"));
            let _ = numbers_in_order(jobs, |&i, _| {
                seen.lock().unwrap().push(i);
                Ok(())
            });
        });
        assert!(result.is_err());
        assert_eq!(*reported.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_panicking_job_gets_the_panic_outcome_and_the_rest_run() {
        let pool = pool(2);
        let mut outcomes = Vec::new();
        let result = in_order(
            &pool,
            0..20usize,
            jobs_only(4),
            |&i| {
                assert_ne!(i, 5, "job five");
                i
            },
            |_| 0,
            |panic| {
                let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                assert!(message.contains("job five"), "{message}");
                usize::MAX
            },
            |_, outcome| {
                outcomes.push(outcome);
                Ok(())
            },
        );
        assert!(result.is_ok());
        let mut expected: Vec<usize> = (0..20).collect();
        expected[5] = usize::MAX;
        assert_eq!(outcomes, expected);
    }

    /// The weight of job `i` in the weight tests: mostly light, every tenth heavier than the
    /// budget of 100 on its own.
    fn weight_of(i: usize) -> usize {
        if i % 10 == 9 { 150 } else { 10 + i % 4 * 10 }
    }

    /// No job is linted while the jobs started and not reported would weigh more than the budget
    /// with it, unless it is the only one; the reporter takes what is ready when the walk waits
    /// for weight (a batch of 50 would never fill under a budget of 100), and all is reported
    /// in order.
    #[test]
    fn jobs_start_within_the_weight_budget_or_beside_weightless_ones() {
        let result = ends_within_a_minute(|| {
            let in_flight = AtomicUsize::new(0);
            let mut order = Vec::new();
            let result = in_order(
                &pool(3),
                0..300usize,
                Window {
                    jobs: 100,
                    weight: 100,
                },
                |&i| {
                    let weight = weight_of(i);
                    let held = in_flight.fetch_add(weight, Ordering::SeqCst) + weight;
                    // A late first job makes the others pile up behind it.
                    if i % 50 == 0 {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    held == weight || held <= 100
                },
                |&i| weight_of(i),
                |_| false,
                |&i, within| {
                    in_flight.fetch_sub(weight_of(i), Ordering::SeqCst);
                    order.push((i, within));
                    Ok(())
                },
            );
            (result.is_ok(), order)
        });
        let (ok, order) = result.unwrap();
        assert!(ok);
        let expected: Vec<(usize, bool)> = (0..300).map(|i| (i, true)).collect();
        assert_eq!(order, expected);
    }

    /// The reporter wakes for less than a batch only when the walk waits for weight.
    #[test]
    fn the_reporter_takes_less_than_a_batch_only_for_a_walk_that_waits_for_weight() {
        let window = Window {
            jobs: 16,
            weight: 100,
        };
        let mut board: Board<(), ()> = Board {
            done: BTreeMap::new(),
            held: 90,
            taken: 0,
            reported: 0,
            total: None,
            reporter_waits: true,
            walker_waits_for: None,
            stopped: false,
            lost: false,
        };
        board.done.insert(0, ((), (), 10));
        assert!(!board.worth_taking(window), "nobody waits");
        board.walker_waits_for = Some(Waiting {
            index: 16,
            weight: 10,
        });
        assert!(
            !board.worth_taking(window),
            "the walk waits for the job window"
        );
        board.walker_waits_for = Some(Waiting {
            index: 5,
            weight: 20,
        });
        assert!(board.worth_taking(window), "the walk waits for weight");
        assert!(!board.may_start(
            Waiting {
                index: 5,
                weight: 20
            },
            window
        ));
        assert!(board.may_start(
            Waiting {
                index: 5,
                weight: 10
            },
            window
        ));
        board.held = 0;
        assert!(
            board.may_start(
                Waiting {
                    index: 5,
                    weight: 500
                },
                window
            ),
            "a heavy job starts when no weight is held"
        );
    }
}
