//! A page form's answer, written once: after a change, back to the page that shows it (a
//! redirect, so that reloading does not submit again); when the answer is something the person
//! can correct, the form's page again with it, and nothing written; anything else (404, 500) is
//! the error page.

use axum::response::{IntoResponse, Redirect, Response};

use crate::error::{AppError, FieldErrors};

/// For a button with nothing to correct on its page: a change saved redirects to `done(value)`;
/// any refusal is the error page, which says why (a stale version's 409 asks to reload).
///
/// # Errors
/// Whatever the service answered.
pub fn done<T>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
) -> Result<Response, AppError> {
    result.map(|value| Redirect::to(&done(value)).into_response())
}

/// For a form of fields: invalid fields re-render the form (with 422 and the errors next to the
/// fields, by `again`); a change saved redirects to `done(value)`.
///
/// # Errors
/// Whatever else the service answered, and whatever `again` answers.
pub async fn fields<T>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(FieldErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(value) => Ok(Redirect::to(&done(value)).into_response()),
        Err(AppError::Invalid(errors)) => again(errors).await,
        Err(other) => Err(other),
    }
}

/// For a button's form on a page that shows why a step was refused: invalid fields, a refusal in
/// words (422), a role that may not (403) and a stale version (409) re-render the page with the
/// reason (by `again`); a change saved redirects to `done(value)`.
///
/// # Errors
/// Whatever else the service answered, and whatever `again` answers.
pub async fn refusable<T>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(AppError) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    when(
        result,
        done,
        |e| {
            matches!(
                e,
                AppError::Invalid(_)
                    | AppError::Refused(_)
                    | AppError::Forbidden(_)
                    | AppError::Conflict(_)
            )
        },
        again,
    )
    .await
}

/// The general form of the two above, for the pages that show their own set of answers again:
/// a change saved redirects to `done(value)`; an answer `shown_again` accepts re-renders the page
/// with it (by `again`); anything else is the error page.
///
/// # Errors
/// Whatever else the service answered, and whatever `again` answers.
pub async fn when<T>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
    shown_again: impl FnOnce(&AppError) -> bool,
    again: impl AsyncFnOnce(AppError) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(value) => Ok(Redirect::to(&done(value)).into_response()),
        Err(e) if shown_again(&e) => again(e).await,
        Err(other) => Err(other),
    }
}
