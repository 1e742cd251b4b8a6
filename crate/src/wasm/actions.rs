//! Reading the `actions` option: each entry `{ at, type, ...fields }` as
//! `sim.actions()` returns it, field by field through catching calls, each
//! checked for its type and size; fields an action does not have are ignored.
//! (A generic deserializer for these shapes cost a fifth of the wasm.)

use wasm_bindgen::prelude::*;

use super::{absent, fail, get, got, is_plain_object, number, read_params, string_arg, text_arg, whole_in, Checked, Refusal, MAX_STRING, MAX_TIME};
use crate::sim::{Action, TimedAction, TimerKind};

/// The `type` of every action, as `sim.actions()` writes it.
const TYPES: [&str; 13] = [
    "request",
    "crash",
    "recover",
    "set-behavior",
    "drop-message",
    "partition",
    "heal",
    "set-loss",
    "set-load",
    "deliver",
    "fire-timer",
    "set-delivery",
    "set-link-latency",
];

/// Entry `i` of the `actions` option.
pub(super) fn read_action(v: &JsValue, i: usize) -> Checked<TimedAction> {
    let at_ = |field: &str| format!("actions[{i}].{field}");
    if !is_plain_object(v, &|| format!("actions[{i}]"))? {
        return fail(format!("actions[{i}] is not an action: it must be an object {{ at, type, ... }}, got {}", got(v)));
    }
    let field = |name: &str| get(v, &JsValue::from_str(name), &|| at_(name));
    let at = whole_in(&field("at")?, &at_("at"), 0, MAX_TIME, " of virtual ms")
        .map_err(|e| Refusal(format!("actions[{i}] is not an action: {}", e.0)))?;
    let kind = field("type")?;
    let unknown = || fail(format!("actions[{i}] is not an action: type must be one of {}, got {}", TYPES.join(", "), got(&kind)));
    let Some(name) = kind.as_string() else {
        return unknown();
    };
    let whole = |name: &str, hi: u64| -> Checked<u64> {
        whole_in(&field(name)?, &at_(name), 0, hi, "").map_err(|e| Refusal(format!("actions[{i}] is not an action: {}", e.0)))
    };
    let replica = || whole("replica", u32::MAX as u64).map(|r| r as usize);
    let node = |name: &str| -> Checked<i64> {
        let x = number(&field(name)?, &at_(name), "a node number (a whole number)")?;
        if x.is_finite() && x.fract() == 0.0 && x.abs() <= u32::MAX as f64 {
            Ok(x as i64)
        } else {
            fail(format!("{} must be a node number (a whole number), got {}", at_(name), super::show(x)))
        }
    };
    let action = match name.as_str() {
        "request" => {
            let op = text_arg(&field("op")?, &at_("op"), MAX_STRING)?;
            let client = field("client")?;
            let client = if absent(&client) { 0 } else { whole("client", u32::MAX as u64)? as u32 };
            Action::Request { op: op.into(), client }
        }
        "crash" => Action::Crash { replica: replica()? },
        "recover" => Action::Recover { replica: replica()? },
        "set-behavior" => {
            let name = string_arg(&field("behavior")?, &at_("behavior"), 100)?;
            let behavior = name.parse().map_err(|e| Refusal(format!("{}: {e}", at_("behavior"))))?;
            let params = read_params(&field("params")?).map_err(|e| Refusal(format!("actions[{i}].{}", e.0)))?;
            Action::SetBehavior { replica: replica()?, behavior, params }
        }
        "drop-message" => Action::DropMessage { msg: whole("msg", MAX_TIME)? },
        "partition" => {
            // The engine checks the ids against n when the action is applied.
            let id = |r: &JsValue, what: &str| whole_in(r, what, 0, u32::MAX as u64, " (a replica id)").map(|r| r as usize);
            Action::Partition { groups: super::read_groups(&field("groups")?, "", &at_("groups"), 1024, &id)? }
        }
        "heal" => Action::Heal,
        "set-loss" => {
            let rate = number(&field("rate")?, &at_("rate"), "a number from 0 to 1")?;
            Action::SetLoss { rate }
        }
        "set-load" => Action::SetLoad { rate: whole("rate", u32::MAX as u64)? as u32 },
        "deliver" => Action::Deliver { msg: whole("msg", MAX_TIME)? },
        "fire-timer" => {
            let code = string_arg(&field("timer")?, &at_("timer"), 40)?;
            let Some(timer) = TimerKind::named(&code) else {
                return fail(format!("{} must be a timer code, one of: {}, got \"{code}\"", at_("timer"), TimerKind::CODES.join(", ")));
            };
            Action::FireTimer { node: node("node")?, timer }
        }
        "set-delivery" => Action::SetDelivery { mode: super::delivery_arg(&field("mode")?, &at_("mode"))? },
        "set-link-latency" => {
            Action::SetLinkLatency { a: node("a")?, b: node("b")?, min: whole("min", MAX_TIME)?, max: whole("max", MAX_TIME)? }
        }
        _ => return unknown(),
    };
    Ok(TimedAction { at, action })
}
