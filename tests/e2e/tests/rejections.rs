//! What a person sees when they give the app something it cannot use: a web-application
//! client secret, an http callback URL (without the stand-in's allowance), a receiver
//! port another program holds.

use e2e::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_secret_and_an_http_callback_are_explained() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let dir = tempfile::tempdir()?;
    let web_client = dir.path().join("client_secret_web.json");
    std::fs::write(
        &web_client,
        r#"{"web":{"client_id":"x.apps.googleusercontent.com","client_secret":"s",
            "auth_uri":"https://accounts.google.com/o/oauth2/auth",
            "token_uri":"https://oauth2.googleapis.com/token",
            "redirect_uris":["https://example.com/cb"]}}"#,
    )?;
    // Another program holds the receiver's port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
    // No CALWATCH_ALLOW_HTTP_CALLBACK: Google's own rule (https only) applies.
    let env: Vec<(String, String)> = vec![
        (
            "CALWATCH_DATA_DIR".into(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            taken.local_addr()?.to_string(),
        ),
    ];
    let app = App::launch("rejections", &env).await?;

    app.type_into("client-secret-path", &web_client.display().to_string())
        .await?;
    app.click("client-secret-import").await?;
    app.wait_attr(
        "client-secret-error",
        "data-error-code",
        "bad_client_secret",
    )
    .await?;
    let sentence = app.find("client-secret-error").await?.text().await?;
    anyhow::ensure!(
        sentence.split_whitespace().count() >= 6,
        "the window explains what is wrong with the file: “{sentence}”"
    );

    app.type_into("callback-url", "http://calwatch.example.com/notifications")
        .await?;
    app.click("callback-save").await?;
    app.wait_attr("callback-error", "data-error-code", "callback_not_https")
        .await?;
    let sentence = app.find("callback-error").await?.text().await?;
    anyhow::ensure!(
        sentence.to_lowercase().contains("https"),
        "the window says the callback must be https: “{sentence}”"
    );
    app.wait_attr("receiver-error", "data-error-code", "port_in_use")
        .await?;
    let sentence = app.find("receiver-error").await?.text().await?;
    anyhow::ensure!(
        sentence.contains(&taken.local_addr()?.port().to_string()),
        "the window says which port is taken: “{sentence}”"
    );
    app.screenshot("client-secret-error").await?;
    app.scroll_to("step-callback").await?;
    app.screenshot("callback-and-port-errors").await?;
    app.quit().await;
    Ok(())
}
