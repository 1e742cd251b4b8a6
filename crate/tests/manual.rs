//! "You are the network": manual delivery. Nothing arrives and no timer fires
//! until the user delivers a message or fires a timer; each pick is a recorded
//! action, so replay and seek reproduce the run.

mod common;

use common::{all_executed_once, assert_safe};
use pbft_playground::protocol::{MsgKind, NodeId};
use pbft_playground::sim::{
    Action, Delivery, DropReason, Event, EventKind, PendingTimer, SimConfig, SimError, Simulation, TimerKind,
};

fn manual(n: usize, seed: u64) -> SimConfig {
    SimConfig { delivery: Delivery::Manual, ..SimConfig::new(n, seed) }
}

/// The messages in flight: (id, from, to, kind), oldest first.
fn flying(sim: &Simulation) -> Vec<(u64, NodeId, NodeId, MsgKind)> {
    sim.in_flight_ids()
        .into_iter()
        .map(|id| {
            let (from, to, m) = sim.in_flight_message(id).expect("in flight");
            (id, from, to, m.kind())
        })
        .collect()
}

/// Delivers the message `choose` picks among those in flight, `gap` ms after
/// the last pick, until it picks none; returns every event.
fn deliver_while(sim: &mut Simulation, gap: u64, mut choose: impl FnMut(&[(u64, NodeId, NodeId, MsgKind)]) -> Option<u64>) -> Vec<Event> {
    let mut events = Vec::new();
    for _ in 0..10_000 {
        let Some(id) = choose(&flying(sim)) else { return events };
        events.extend(sim.advance(gap));
        sim.deliver(id).expect("a message in flight");
        events.extend(sim.take_events());
    }
    panic!("still delivering after 10000 picks");
}

fn accepted(events: &[Event]) -> Vec<(String, u64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Accepted { result, view, .. } => Some((result.to_string(), *view)),
            _ => None,
        })
        .collect()
}

fn timers(sim: &Simulation) -> Vec<(i64, TimerKind)> {
    sim.pending_timers().iter().map(|p| (p.node, p.timer)).collect()
}

#[test]
fn in_manual_mode_advance_moves_the_clock_and_delivers_nothing() {
    let mut sim = Simulation::new(manual(4, 1)).unwrap();
    assert_eq!(sim.delivery(), Delivery::Manual);
    sim.request("x=1").unwrap();
    let events = sim.advance(30_000);
    assert_eq!(sim.now(), 30_000);
    assert!(events.iter().all(|e| matches!(e.kind, EventKind::Submitted { .. } | EventKind::Sent { .. })), "{events:?}");
    assert_eq!(flying(&sim).len(), 1, "the REQUEST waits");
    // The client's request timer is due long ago, and waits too.
    assert_eq!(sim.pending_timers(), vec![PendingTimer { node: -1, timer: TimerKind::Retransmit, due: 1000 }]);
    assert_eq!(sim.next_instant(), None, "nothing is due by itself");
    assert!(sim.is_waiting() && !sim.is_idle());
    // Nor does running until idle move anything, or the clock.
    assert!(sim.run_until_idle(u64::MAX / 2).is_empty());
    assert!(sim.step().is_empty());
    assert_eq!(sim.now(), 30_000);
    let snap = sim.snapshot();
    assert_eq!(snap.delivery, Delivery::Manual);
    assert_eq!(snap.pending_timers.len(), 1);
    assert_eq!(snap.in_flight[0].deliver_at, sim.in_flight_message(1).map(|_| snap.in_flight[0].deliver_at).unwrap());
}

#[test]
fn delivering_in_chosen_orders_completes_a_request() {
    // Oldest first, newest first, and messages to the highest node first: every order commits.
    type Chooser = fn(&[(u64, NodeId, NodeId, MsgKind)]) -> Option<u64>;
    let orders: [(&str, Chooser); 3] = [
        ("oldest first", |f| f.first().map(|m| m.0)),
        ("newest first", |f| f.last().map(|m| m.0)),
        ("highest receiver first", |f| f.iter().max_by_key(|m| (pbft_playground::sim::node_number(m.2), m.0)).map(|m| m.0)),
    ];
    for (what, order) in orders {
        let mut sim = Simulation::new(manual(4, 3)).unwrap();
        sim.request("warTime=1234").unwrap();
        let events = deliver_while(&mut sim, 7, order);
        assert_eq!(accepted(&events), vec![("warTime=1234".to_string(), 0)], "{what}");
        assert!(all_executed_once(&sim, &[0, 1, 2, 3], "warTime=1234"), "{what}");
        assert_safe(&sim);
        assert!(flying(&sim).is_empty(), "{what}: every message delivered");
        // Each pick is a recorded action, with its event before the delivery's.
        let picks = sim.actions().iter().filter(|a| matches!(a.action, Action::Deliver { .. })).count();
        let picked: Vec<usize> = events.iter().enumerate().filter(|(_, e)| matches!(e.kind, EventKind::Picked { .. })).map(|(i, _)| i).collect();
        assert_eq!(picked.len(), picks, "{what}");
        for i in picked {
            let (EventKind::Picked { msg, .. }, EventKind::Delivered { msg: m2, .. }) = (&events[i].kind, &events[i + 1].kind) else {
                panic!("{what}: a pick is followed by its delivery: {:?}", &events[i..i + 2]);
            };
            assert_eq!(msg, m2);
        }
        // Nothing was a fault.
        assert!(!events.iter().any(|e| matches!(e.kind, EventKind::Fault { .. })), "{what}");
    }
}

/// Castro–Liskov §4.4, with the user as the network: the primary's messages never
/// arrive, the client's and the backups' timers are fired by hand, and view 1 commits.
#[test]
fn firing_the_view_change_timers_makes_a_view_change_happen() {
    let mut sim = Simulation::new(manual(4, 5)).unwrap();
    sim.request("a=1").unwrap();
    let touches_primary = |m: &(u64, NodeId, NodeId, MsgKind)| m.1 == NodeId::Replica(0) || m.2 == NodeId::Replica(0);
    // The client gives up on the primary: it broadcasts the request.
    sim.advance(20);
    assert!(sim.fire_timer(-1, TimerKind::Retransmit).is_ok());
    let mut events = sim.take_events();
    assert!(matches!(events[0].kind, EventKind::Fired { node: NodeId::Client(0), timer: TimerKind::Retransmit }), "{:?}", events[0]);
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::Retransmitted { .. })));
    // The backups get it and start their timers (they relay it to the primary: those wait for ever).
    events.extend(deliver_while(&mut sim, 10, |f| f.iter().find(|m| !touches_primary(m)).map(|m| m.0)));
    for r in 1..4 {
        assert!(timers(&sim).contains(&(r, TimerKind::ViewChange)), "backup {r} suspects the primary: {:?}", timers(&sim));
    }
    // Their timers go off when you say so.
    for r in 1..4 {
        events.extend(sim.advance(5));
        sim.fire_timer(r, TimerKind::ViewChange).unwrap();
    }
    events.extend(sim.take_events());
    assert_eq!(events.iter().filter(|e| matches!(e.kind, EventKind::ViewChangeStarted { view: 1, .. })).count(), 3);
    // VIEW-CHANGE, NEW-VIEW, then the request again in view 1, all among the backups and the client.
    events.extend(deliver_while(&mut sim, 10, |f| f.iter().find(|m| !touches_primary(m)).map(|m| m.0)));
    for r in 1..4 {
        assert_eq!(sim.replica(r).view(), 1, "replica {r}");
    }
    assert_eq!(accepted(&events), vec![("a=1".to_string(), 1)]);
    assert!(all_executed_once(&sim, &[1, 2, 3], "a=1"));
    assert_safe(&sim);
    // The primary's messages are still waiting, delivered or not.
    assert!(!flying(&sim).is_empty() && flying(&sim).iter().all(touches_primary));
}

/// A live manual run: picks and fired timers at many times, across the copies `seek` saves.
fn a_manual_run() -> (Simulation, Vec<Event>) {
    let mut sim = Simulation::new(SimConfig::new(4, 9)).unwrap();
    let mut events = sim.advance(300);
    sim.request("before=1").unwrap();
    events.extend(sim.advance(150));
    sim.set_delivery(Delivery::Manual).unwrap();
    events.extend(sim.take_events());
    sim.request("during=2").unwrap();
    let mut turn = 0;
    events.extend(deliver_while(&mut sim, 230, |f| {
        turn += 1;
        // A rotating choice: every third pick the newest, else the oldest.
        if turn % 3 == 0 { f.last() } else { f.first() }.map(|m| m.0)
    }));
    events.extend(sim.advance(400));
    sim.fire_timer(1, TimerKind::Retransmit).ok();
    sim.request("after=3").unwrap();
    events.extend(sim.advance(2_500));
    sim.fire_timer(-1, TimerKind::Retransmit).unwrap();
    events.extend(sim.take_events());
    events.extend(deliver_while(&mut sim, 90, |f| f.get(f.len() / 2).map(|m| m.0)));
    events.extend(sim.advance(100));
    sim.set_delivery(Delivery::Auto).unwrap();
    events.extend(sim.run_until_idle(60_000));
    (sim, events)
}

#[test]
fn a_replay_of_the_recorded_actions_reproduces_a_manual_run() {
    let (live, events) = a_manual_run();
    assert!(live.now() > 3 * Simulation::SAVE_EVERY, "the run spans several saved copies: {}", live.now());
    let results: Vec<String> = accepted(&events).into_iter().map(|a| a.0).collect();
    assert_eq!(results, ["before=1", "during=2", "after=3"]);
    assert_safe(&live);
    let mut replay = Simulation::with_actions(live.config().clone(), live.actions().to_vec()).unwrap();
    let again = replay.advance(live.now());
    assert_eq!(again, events, "the same events, in order");
    assert_eq!(replay.snapshot(), live.snapshot());
    assert_eq!(replay.actions(), live.actions());
}

#[test]
fn seeking_back_and_forth_over_manual_picks_lands_where_a_fresh_replay_does() {
    let (mut sim, _) = a_manual_run();
    let end = sim.now();
    let actions = sim.actions().to_vec();
    let cfg = sim.config().clone();
    let fresh = |t: u64| {
        let mut s = Simulation::with_actions(cfg.clone(), actions.clone()).unwrap();
        s.advance(t);
        s.snapshot()
    };
    // Times on picks, between them, on saved copies and back at the end.
    let picks: Vec<u64> = actions.iter().filter(|a| matches!(a.action, Action::Deliver { .. })).map(|a| a.at).collect();
    let mut times = vec![picks[3], picks[3] - 1, 0, end, picks[picks.len() / 2], Simulation::SAVE_EVERY, picks[1] + 1, end / 2, end];
    times.extend(picks.iter().step_by(7));
    for t in times {
        sim.seek(t);
        assert_eq!(sim.now(), t);
        assert_eq!(sim.snapshot(), fresh(t), "seek to {t}");
    }
    // Seeking kept the recorded future.
    assert_eq!(sim.actions(), &actions[..]);
}

#[test]
fn a_pick_after_seeking_back_forks_the_run() {
    let (mut sim, _) = a_manual_run();
    let picks: Vec<u64> = sim.actions().iter().filter(|a| matches!(a.action, Action::Deliver { .. })).map(|a| a.at).collect();
    let t = picks[2];
    sim.seek(t);
    let kept = sim.actions().iter().filter(|a| a.at <= t).count();
    let id = *sim.in_flight_ids().last().expect("something in flight");
    sim.deliver(id).unwrap();
    assert_eq!(sim.actions().len(), kept + 1, "the recorded future is dropped");
    assert_eq!(sim.actions().last().unwrap().action, Action::Deliver { msg: id });
    let mut replay = Simulation::with_actions(sim.config().clone(), sim.actions().to_vec()).unwrap();
    replay.advance(t);
    assert_eq!(replay.snapshot(), sim.snapshot());
}

#[test]
fn back_in_automatic_mode_what_is_overdue_happens_at_once() {
    let mut sim = Simulation::new(manual(4, 2)).unwrap();
    sim.request("late=1").unwrap();
    sim.advance(5_000);
    sim.set_delivery(Delivery::Auto).unwrap();
    let events = sim.take_events();
    assert!(matches!(&events[0].kind, EventKind::Fault { action: Action::SetDelivery { mode: Delivery::Auto }, .. }), "{:?}", events[0]);
    // The REQUEST (due at about 100 ms) arrives now, then the client's overdue timer fires.
    assert!(events.iter().all(|e| e.time == 5_000));
    let delivered = events.iter().position(|e| matches!(e.kind, EventKind::Delivered { kind: MsgKind::Request, .. })).unwrap();
    let retransmitted = events.iter().position(|e| matches!(e.kind, EventKind::Retransmitted { .. })).unwrap();
    assert!(delivered < retransmitted);
    let rest = sim.run_until_idle(60_000);
    assert_eq!(accepted(&rest).len(), 1);
    assert_safe(&sim);
    // Switching to the mode in use does nothing (and says nothing).
    sim.set_delivery(Delivery::Auto).unwrap();
    assert!(sim.take_events().is_empty());
}

#[test]
fn the_network_still_loses_what_it_would_lose() {
    // Random loss: every message is lost, and delivering one shows it dropped.
    let mut sim = Simulation::new(SimConfig { loss: 1.0, ..manual(4, 1) }).unwrap();
    sim.request("x=1").unwrap();
    sim.deliver(1).unwrap();
    let events = sim.take_events();
    assert!(matches!(events.last().unwrap().kind, EventKind::Dropped { msg: 1, reason: DropReason::Loss, .. }), "{events:?}");
    // A partition cuts the link at delivery time: healed first, the message gets through.
    let mut sim = Simulation::new(manual(4, 1)).unwrap();
    sim.act(Action::Partition { groups: vec![vec![1, 2, 3], vec![0]] }).unwrap();
    sim.request("x=1").unwrap();
    sim.fire_timer(-1, TimerKind::Retransmit).unwrap();
    sim.take_events();
    let to = |sim: &Simulation, r| flying(sim).into_iter().find(|m| m.2 == NodeId::Replica(r) && m.3 == MsgKind::Request).unwrap().0;
    let id = to(&sim, 0);
    sim.deliver(id).unwrap();
    assert!(matches!(sim.take_events().last().unwrap().kind, EventKind::Dropped { reason: DropReason::Partition, .. }));
    sim.act(Action::Heal).unwrap();
    let id = to(&sim, 0);
    sim.deliver(id).unwrap();
    assert!(sim.take_events().iter().any(|e| matches!(e.kind, EventKind::Delivered { msg, .. } if msg == id)));
    // A crashed receiver drops it too.
    sim.crash(2).unwrap();
    let id = to(&sim, 2);
    sim.deliver(id).unwrap();
    assert!(matches!(sim.take_events().last().unwrap().kind, EventKind::Dropped { reason: DropReason::Crashed, .. }));
}

#[test]
fn invalid_ids_and_timers_are_errors_and_change_nothing() {
    let mut sim = Simulation::new(manual(4, 1)).unwrap();
    sim.request("x=1").unwrap();
    sim.take_events();
    let before = (sim.actions().to_vec(), sim.snapshot());
    assert_eq!(sim.deliver(99), Err(SimError::NoSuchMessage(99)));
    assert_eq!(sim.fire_timer(0, TimerKind::ViewChange), Err(SimError::NoSuchTimer(0, TimerKind::ViewChange)));
    assert_eq!(sim.fire_timer(-1, TimerKind::Load), Err(SimError::NoSuchTimer(-1, TimerKind::Load)));
    assert_eq!(sim.fire_timer(4, TimerKind::Retransmit), Err(SimError::NoSuchReplica { id: 4, n: 4 }));
    assert_eq!(sim.fire_timer(-2, TimerKind::Retransmit), Err(SimError::NoSuchReplica { id: -2, n: 4 }));
    assert_eq!(SimError::NoSuchTimer(-1, TimerKind::Load).to_string(), "no load timer of client 0 is running");
    assert_eq!(SimError::NoSuchTimer(2, TimerKind::ViewChange).to_string(), "no view-change timer of replica 2 is running");
    assert!(sim.take_events().is_empty());
    assert_eq!((sim.actions().to_vec(), sim.snapshot()), before);
    // A recorded run with picks of messages that do not exist (an edited permalink) plays on.
    let bad = vec![
        pbft_playground::sim::TimedAction { at: 5, action: Action::Deliver { msg: 1234 } },
        pbft_playground::sim::TimedAction { at: 6, action: Action::FireTimer { node: 2, timer: TimerKind::Fetch } },
    ];
    let mut replay = Simulation::with_actions(manual(4, 1), bad).unwrap();
    assert!(replay.advance(100).is_empty());
    let out_of_range = vec![pbft_playground::sim::TimedAction { at: 5, action: Action::FireTimer { node: 9, timer: TimerKind::Fetch } }];
    assert!(Simulation::with_actions(manual(4, 1), out_of_range).is_err());
}

#[test]
fn pending_timers_list_each_node_and_kind_once_and_fire_the_soonest() {
    let mut sim = Simulation::new(manual(4, 1)).unwrap();
    sim.act(Action::SetLoad { rate: 10 }).unwrap();
    assert_eq!(timers(&sim), vec![(-1, TimerKind::Load)]);
    sim.fire_timer(-1, TimerKind::Load).unwrap();
    sim.advance(1);
    sim.fire_timer(-1, TimerKind::Load).unwrap();
    assert_eq!(sim.client().outstanding(), [1, 2]);
    // Two requests waiting (the second behind the first): the first's timer, and the load's, by due time.
    let pending = sim.pending_timers();
    assert_eq!(pending, [PendingTimer { node: -1, timer: TimerKind::Load, due: 101 }, PendingTimer { node: -1, timer: TimerKind::Retransmit, due: 1000 }]);
    // Firing the load's timer skips its turn now (two requests wait), and arms the next.
    sim.advance(9);
    sim.fire_timer(-1, TimerKind::Load).unwrap();
    assert_eq!(sim.client().outstanding(), [1, 2]);
    assert_eq!(sim.pending_timers().iter().filter(|p| p.timer == TimerKind::Load).map(|p| p.due).collect::<Vec<_>>(), [110]);
}

#[test]
fn delivering_and_firing_work_in_automatic_mode_too_earlier_than_due() {
    let mut sim = Simulation::new(SimConfig::new(4, 1)).unwrap();
    sim.request("x=1").unwrap();
    sim.deliver(1).unwrap();
    let events = sim.take_events();
    assert!(events.iter().any(|e| e.time == 0 && matches!(e.kind, EventKind::Delivered { msg: 1, .. })));
    let rest = sim.run_until_idle(10_000);
    assert_eq!(accepted(&rest).len(), 1);
    // The early delivery left nothing behind in the queue to deliver twice.
    assert!(!rest.iter().any(|e| matches!(e.kind, EventKind::Delivered { msg: 1, .. } | EventKind::Dropped { msg: 1, .. })));
    assert_safe(&sim);
}

#[test]
fn the_new_codes_are_listed() {
    let codes = pbft_playground::sim::Codes::all();
    assert_eq!(codes.timers, ["view-change", "retransmit", "fetch", "behavior", "load"]);
    assert_eq!(codes.deliveries, ["auto", "manual"]);
    assert!(codes.events.contains(&"picked") && codes.events.contains(&"fired"));
    assert!(codes.faults.contains(&"set-delivery"));
    for (i, code) in TimerKind::CODES.iter().enumerate() {
        assert_eq!(TimerKind::named(code), Some(TimerKind::ALL[i]));
        assert_eq!(TimerKind::ALL[i].as_str(), *code);
    }
    assert_eq!(Delivery::named("manual"), Some(Delivery::Manual));
    assert_eq!(Delivery::named("Manual"), None);
}
