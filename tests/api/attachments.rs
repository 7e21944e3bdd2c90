//! Attachments kept on disk by earlier versions are moved into the database at start.

use chrono::Utc;
use entity::attachments;
use mediation::config::Config;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{fresh_data_dir, fresh_database_url, start_with};

#[tokio::test]
async fn files_an_earlier_version_kept_on_disk_are_served_from_the_database_after_an_upgrade() {
    let url = fresh_database_url().await;
    let data_dir = fresh_data_dir();
    let mut config = Config::for_database(&url);
    config.data_dir = data_dir.clone();
    let before = start_with(config.clone()).await;
    mediation::demo::load_if_empty(&before.db)
        .await
        .expect("demo");
    let token = before.token("coordinator").await;
    let station = before.unit_id(&token, "JB-C01").await;
    let case: Value = before
        .post(
            &token,
            "/api/v1/cases",
            &json!({
                "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in",
                "summary": "旧版本上传的工资条", "amount_claimed_fen": 1, "people_involved": 1,
                "parties": [{"role": "applicant", "kind": "person", "name": "甲"},
                            {"role": "respondent", "kind": "organisation", "name": "乙"}]
            }),
        )
        .await
        .json()
        .await
        .expect("case");

    // What the previous version left: a row, and the content under data/attachments/ab/abcd…
    let pdf = b"%PDF-1.4\n% kept on disk by the old version\n".to_vec();
    let sha256 = hex::encode(Sha256::digest(&pdf));
    let folder = data_dir.join("attachments").join(&sha256[..2]);
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join(&sha256), &pdf).expect("file");
    let row = attachments::ActiveModel {
        case_id: Set(case["id"].as_i64().expect("id")),
        sha256: Set(sha256),
        filename: Set("旧工资条.pdf".into()),
        content_type: Set("application/pdf".into()),
        size_bytes: Set(pdf.len() as i64),
        kind: Set(entity::terms::AttachmentKind::PaySlip),
        uploaded_by: Set(1),
        uploaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&before.db)
    .await
    .expect("row");

    // The new version starts over the same database and data folder: the file is moved in.
    let after = start_with(config.clone()).await;
    let moved =
        mediation::services::cases::attachments::move_files_into_database(&after.db, &data_dir)
            .await
            .expect("a second run");
    assert_eq!(
        moved, 0,
        "already moved at start; a second run does nothing"
    );
    std::fs::remove_dir_all(data_dir.join("attachments")).expect("the old folder can go");
    let res = after
        .get(
            &token,
            &format!("/api/v1/cases/{}/attachments/{}", case["id"], row.id),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);

    // Content gone from the database (the folder removed before the move, say) is a plain 500
    // in the error shape, not a download cut off after its headers.
    entity::attachment_chunks::Entity::delete_many()
        .exec(&after.db)
        .await
        .expect("delete");
    let res = after
        .get(
            &token,
            &format!("/api/v1/cases/{}/attachments/{}", case["id"], row.id),
        )
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "internal");
}
