//! Paging and filters: bucket `limit`/`name`, object markers, version and history offsets,
//! history windows and states.

use serde_json::{json, Value};

use super::{window, T, WEST};

fn col(list: &Value, field: &str) -> Vec<String> {
    list["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[field].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn buckets_page_by_limit_and_filter_by_name() {
    let t = T::new().await;
    for n in ["astest-1", "astest-2", "other", "astest-3"] {
        t.bucket(n).await;
    }
    let all = t.get("/v1/buckets").await;
    let names: Vec<&str> = all["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["astest-1", "astest-2", "other", "astest-3"]);
    assert_eq!(
        t.get("/v1/buckets?limit=2").await["buckets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let f = t.get("/v1/buckets?name=test").await;
    assert_eq!(f["buckets"].as_array().unwrap().len(), 3);
    assert!(f.get("count").is_none());
}

#[tokio::test]
async fn objects_page_by_marker_folders_first() {
    let t = T::new().await;
    let s = &t.sim;
    let id = s.seed_archive_bucket(WEST, "arch-p");
    for k in [
        "g/2", "f/1", "e.txt", "d.txt", "c.txt", "b.txt", "a.txt", "f/sub/x",
    ] {
        s.seed_archived_object(WEST, &id, k, 1);
    }
    let base = format!("/v1/buckets/{id}/objects");
    let mut seen = vec![];
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &marker {
            Some(m) => format!("{base}?limit=3&marker={m}"),
            None => format!("{base}?limit=3"),
        };
        let p = t.get(&path).await;
        pages += 1;
        let names = col(&p, "object_name");
        assert_eq!(p["count"], names.len());
        seen.extend(names.clone());
        if p["is_truncated"] == true {
            assert_eq!(p["marker"], names.last().unwrap().as_str());
            marker = Some(names.last().unwrap().clone());
        } else {
            assert_eq!(p["marker"], Value::Null);
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["f/", "g/", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    );
    // Filters.
    let files = t
        .get(&format!("{base}?object_type=FILE&object_name=c"))
        .await;
    assert_eq!(col(&files, "object_name"), ["c.txt"]);
    let folders = t.get(&format!("{base}?object_type=FOLDER")).await;
    assert_eq!(col(&folders, "object_name"), ["f/", "g/"]);
    assert_eq!(col(&folders, "object_type"), ["FOLDER", "FOLDER"]);
    // A sub-folder, and a marker relative to it.
    let f = t.get(&format!("{base}?object_path=/f")).await;
    assert_eq!(col(&f, "object_name"), ["f/sub/", "f/1"]);
    let f = t.get(&format!("{base}?object_path=f/&marker=sub/")).await;
    assert_eq!(col(&f, "object_name"), ["f/1"]);
    let none = t.get(&format!("{base}?object_path=nowhere/")).await;
    assert_eq!(
        none,
        json!({"count": 0, "marker": null, "is_truncated": false, "contents": []})
    );
    // The default limit is 200.
    for i in 0..205 {
        s.seed_archived_object(WEST, &id, &format!("many/{i:03}"), 1);
    }
    let p = t.get(&format!("{base}?object_path=many/")).await;
    assert_eq!(
        (p["count"].clone(), p["is_truncated"].clone()),
        (json!(200), json!(true))
    );
    assert_eq!(p["marker"], "many/199");
}

#[tokio::test]
async fn versions_and_histories_page_by_offset() {
    let t = T::new().await;
    let s = &t.sim;
    let id = t.bucket("arch-o").await;
    let (st, _) = t
        .call(
            "PUT",
            &format!("/v1/buckets/{id}/versioning"),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(st, 200);
    let ids: Vec<String> = (1..=5)
        .map(|n| s.seed_archived_object(WEST, &id, "v.txt", n))
        .collect();
    let base = format!("/v1/buckets/{id}/object-versions?object_path=v.txt");
    let first = t.get(&base).await;
    assert_eq!(first["count"], 5);
    assert_eq!(col(&first, "object_version_id")[0], ids[4]);
    assert_eq!(first["contents"][0]["latest"], true);
    let page = t.get(&format!("{base}&offset=1&limit=2")).await;
    assert_eq!(page["count"], 5);
    assert_eq!(
        col(&page, "object_version_id"),
        [ids[3].clone(), ids[2].clone()]
    );
    assert_eq!(page["contents"][0]["latest"], false);
    assert_eq!(col(&page, "size"), ["4", "3"]);

    s.seed_object_bucket(WEST, "obs-h");
    s.put_source_object(WEST, "obs-h", "x", 1, 2);
    t.policy(&id, "obs-h", "1").await;
    let mut runs = vec![];
    for _ in 0..3 {
        let r = s.run_archiving(WEST, &id).unwrap();
        t.archived(&id, &r).await;
        runs.push(r);
    }
    let list = format!("/v1/archiving-histories?bucket_id={id}&{}", window());
    let all = t.get(&list).await;
    assert_eq!(all["total_count"], 3);
    assert_eq!(all["bucket_id"], id.as_str());
    assert_eq!(
        col(&all, "id"),
        [runs[2].clone(), runs[1].clone(), runs[0].clone()]
    );
    let page = t.get(&format!("{list}&offset=2&limit=5")).await;
    assert_eq!(
        (page["total_count"].clone(), col(&page, "id")),
        (json!(3), vec![runs[0].clone()])
    );
    let ok = t.get(&format!("{list}&state=SUCCESS")).await;
    assert_eq!(col(&ok, "id"), [runs[0].clone()]);
    let skipped = t.get(&format!("{list}&state=SKIPPED&limit=1")).await;
    assert_eq!(
        (skipped["total_count"].clone(), col(&skipped, "id")),
        (json!(2), vec![runs[2].clone()])
    );
    // An unencoded `+` arrives as a space; naive times are UTC; a past window is empty.
    let kst = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    let now = chrono::Utc::now();
    let spaced = |d: i64| {
        (now + chrono::Duration::hours(d))
            .with_timezone(&kst)
            .format("%Y-%m-%dT%H:%M:%S%%2009:00")
            .to_string()
    };
    let q = format!(
        "/v1/archiving-histories?bucket_id={id}&start_at_from={}&start_at_to={}",
        spaced(-1),
        spaced(1)
    );
    assert_eq!(t.get(&q).await["total_count"], 3);
    let naive = |d: i64| {
        (now + chrono::Duration::hours(d))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let q = format!(
        "/v1/archiving-histories?bucket_id={id}&start_at_from={}&start_at_to={}",
        naive(-3),
        naive(-2)
    );
    assert_eq!(
        t.get(&q).await,
        json!({"total_count": 0, "bucket_id": id, "contents": []})
    );
    // Recovery histories of a bucket without any.
    let rec = t
        .get(&format!(
            "/v1/recovery-histories?bucket_id={id}&{}",
            window()
        ))
        .await;
    assert_eq!(rec["total_count"], 0);
}
