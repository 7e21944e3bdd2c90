//! Crash safety: the real binary, killed with SIGKILL again and again while clients post intakes,
//! loses no case it acknowledged, leaves nothing half-written, and its case numbers have no gap
//! and no repeat.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entity::{case_counters, case_events, case_parties, cases};
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::binary::{binary_in_empty_folder, start_binary, RunningBinary};
use crate::helpers::{fresh_database_url, PASSWORD};

/// How many times the server is killed.
const KILLS: usize = 6;
/// How many clients post intakes at once.
const CLIENTS: usize = 4;

/// What a client was told: the case's id and number, for every 201.
type Acknowledged = Arc<Mutex<Vec<(i64, String)>>>;

fn start(binary: &std::path::Path, url: &str) -> RunningBinary {
    // No subcommand: as a plain `cargo run`, the demo street is loaded on the empty database
    // (the units and accounts the clients need) and left alone on every restart.
    start_binary(binary, &[], &[("DATABASE_URL", url)])
}

async fn sign_in(client: &reqwest::Client, address: &str) -> String {
    let res = client
        .post(format!("{address}/api/v1/auth/token"))
        .json(&json!({"username": "coordinator", "password": PASSWORD}))
        .send()
        .await
        .expect("sign-in");
    assert!(res.status().is_success(), "sign-in: {}", res.status());
    res.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Posts intakes until the server stops answering or `stop` is set.
async fn post_intakes(
    client: reqwest::Client,
    address: String,
    token: String,
    unit_id: i64,
    n: usize,
    stop: Arc<AtomicBool>,
    acknowledged: Acknowledged,
) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let body = json!({
            "intake_unit_id": unit_id, "dispute_type": "wage_arrears", "source": "walk_in",
            "summary": format!("断电测试 客户端{n} 第{i}件"), "amount_claimed_fen": 100_000,
            "people_involved": 2,
            "parties": [{"role": "applicant", "kind": "person", "name": "甲", "id_number": "330103199001011234"},
                        {"role": "applicant", "kind": "person", "name": "丙"},
                        {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        });
        let res = client
            .post(format!("{address}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let Ok(res) = res else { break };
        if res.status() != reqwest::StatusCode::CREATED {
            // A 5xx while the server dies, or a refusal: not acknowledged.
            continue;
        }
        let Ok(case) = res.json::<Value>().await else {
            // The body was cut off: the client was not told, so nothing was promised.
            break;
        };
        let id = case["id"].as_i64().expect("id");
        let case_no = case["case_no"].as_str().expect("case_no").to_owned();
        acknowledged.lock().expect("lock").push((id, case_no));
    }
}

/// `JB-2026-00017` → (`JB`, 2026, 17).
fn parse_case_no(case_no: &str) -> (String, i32, i64) {
    let mut parts = case_no.rsplitn(3, '-');
    let seq = parts.next().and_then(|s| s.parse().ok());
    let year = parts.next().and_then(|s| s.parse().ok());
    let prefix = parts.next();
    match (prefix, year, seq) {
        (Some(prefix), Some(year), Some(seq)) => (prefix.to_owned(), year, seq),
        _ => panic!("an unexpected case number: {case_no}"),
    }
}

#[tokio::test]
async fn sigkill_during_intake_loses_no_acknowledged_case_and_leaves_no_gap() {
    let began = Instant::now();
    let url = fresh_database_url().await;
    let binary = binary_in_empty_folder();
    let acknowledged: Acknowledged = Arc::default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut unit_id = None;
    let mut token = None;
    let mut attempts = 0;

    for kill in 0..KILLS {
        let mut running = start(&binary, &url);
        let address = running.address.clone();
        // Sessions and tokens are in the database: one token serves every restart.
        let token = match &token {
            Some(t) => t,
            None => token.insert(sign_in(&client, &address).await),
        };
        let unit = match unit_id {
            Some(u) => u,
            None => {
                let units: Value = client
                    .get(format!("{address}/api/v1/units?q=JB-C01"))
                    .bearer_auth(token.as_str())
                    .send()
                    .await
                    .expect("units")
                    .json()
                    .await
                    .expect("json");
                let id = units["items"][0]["id"].as_i64().expect("a unit JB-C01");
                *unit_id.insert(id)
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let before = acknowledged.lock().expect("lock").len();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|n| {
                tokio::spawn(post_intakes(
                    client.clone(),
                    address.clone(),
                    token.clone(),
                    unit,
                    n,
                    stop.clone(),
                    acknowledged.clone(),
                ))
            })
            .collect();
        // Let the clients get going, then kill the server in the middle of their posts: at a
        // different moment each time.
        let wait = 400 + 250 * (kill as u64 % 4);
        let deadline = Instant::now() + Duration::from_secs(10);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        while acknowledged.lock().expect("lock").len() == before && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        running.child.kill().expect("SIGKILL");
        running.child.wait().expect("reaped");
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.await.expect("client");
        }
        attempts += 1;
        assert!(
            acknowledged.lock().expect("lock").len() > before,
            "no intake was acknowledged before kill {}",
            kill + 1
        );
    }

    // Once more, to see that it starts over what the kills left (recovery, migrations).
    let running = start(&binary, &url);
    let res = client
        .get(format!("{}/readyz", running.address))
        .send()
        .await
        .expect("readyz");
    assert!(res.status().is_success(), "readyz: {}", res.status());
    drop(running);

    let db = Database::connect(&url).await.expect("connect");
    let all_cases = cases::Entity::find().all(&db).await.expect("cases");
    let by_id: BTreeMap<i64, &cases::Model> = all_cases.iter().map(|c| (c.id, c)).collect();
    let parties = case_parties::Entity::find()
        .all(&db)
        .await
        .expect("parties");
    let mut parties_of: BTreeMap<i64, usize> = BTreeMap::new();
    for p in &parties {
        *parties_of.entry(p.case_id).or_default() += 1;
    }
    let intakes: BTreeSet<i64> = case_events::Entity::find()
        .filter(case_events::Column::Kind.eq("intake"))
        .all(&db)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.case_id)
        .collect();

    // Every acknowledged case is there, whole, under the number the client was given.
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let mut lost = Vec::new();
    for (id, case_no) in &acknowledged {
        match by_id.get(id) {
            Some(c) if &c.case_no == case_no => {
                assert_eq!(parties_of.get(id), Some(&3), "{case_no}: its parties");
            }
            other => lost.push(format!("{case_no} (id {id}): {other:?}")),
        }
    }
    // Nothing half-written: every case, acknowledged or not, has its parties and its intake.
    let half: Vec<&str> = all_cases
        .iter()
        .filter(|c| parties_of.get(&c.id).copied().unwrap_or(0) < 2 || !intakes.contains(&c.id))
        .map(|c| c.case_no.as_str())
        .collect();
    // The numbers of each year run 1, 2, 3… with no gap and no repeat, up to the counter.
    let mut numbers: BTreeMap<(i64, String, i32), Vec<i64>> = BTreeMap::new();
    for c in &all_cases {
        let (prefix, year, seq) = parse_case_no(&c.case_no);
        numbers
            .entry((c.hub_id, prefix, year))
            .or_default()
            .push(seq);
    }
    let counters = case_counters::Entity::find()
        .all(&db)
        .await
        .expect("counters");
    let mut gaps = Vec::new();
    for ((hub, prefix, year), seqs) in &mut numbers {
        seqs.sort_unstable();
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        if *seqs != expected {
            gaps.push(format!("{prefix}-{year}: {seqs:?}"));
        }
        let last = counters
            .iter()
            .find(|c| c.hub_id == *hub && c.year == *year)
            .map(|c| c.last_seq);
        if last != Some(seqs.len() as i64) {
            gaps.push(format!(
                "{prefix}-{year}: counter at {last:?}, {} cases",
                seqs.len()
            ));
        }
    }
    db.close().await.ok();

    let found = acknowledged.len() - lost.len();
    println!(
        "crash safety ({}): {} kills, {} acknowledged, {} found whole, {} lost, {} cases in the \
         database, {} half-written, {} numbering problems, {:.1} s",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        attempts,
        acknowledged.len(),
        found,
        lost.len(),
        all_cases.len(),
        half.len(),
        gaps.len(),
        began.elapsed().as_secs_f64()
    );
    assert_eq!(attempts, KILLS);
    assert!(lost.is_empty(), "acknowledged but lost: {lost:#?}");
    assert!(half.is_empty(), "half-written cases: {half:?}");
    assert!(gaps.is_empty(), "case numbers: {gaps:#?}");
}
