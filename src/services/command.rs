//! What every change is asked with: a request read step by step by its aggregate's pipeline
//! (`cases::pipeline` and the `run` functions of the other services), so that the answers come in
//! the promised order (DESIGN §3: scope 404, role 403, version 409, parameters 422).

use crate::error::AppError;

/// A request to change something, as it came in. The pipeline reads it step by step, so that its
/// answers come in the order its endpoint promises (for the workflow actions: scope, role, version,
/// then the parameters, checked, 422 naming each bad field).
pub trait Command {
    type Params;
    /// The version the user saw, when the request carries a readable one.
    fn version(&self) -> Option<i32>;
    /// The parameters, checked.
    ///
    /// # Errors
    /// 422 naming each invalid field.
    fn params(self) -> Result<Self::Params, AppError>;
}

/// A command already read elsewhere (a page form's own fields first): its reading errors are
/// reported where the parameters are, after scope, role and version.
pub struct Prechecked<C> {
    pub version: Option<i32>,
    pub command: Result<C, AppError>,
}

impl<C: Command> Command for Prechecked<C> {
    type Params = C::Params;

    fn version(&self) -> Option<i32> {
        self.version
    }

    fn params(self) -> Result<C::Params, AppError> {
        self.command?.params()
    }
}

/// A change read against the row it changes, once that row is loaded and the role checked: a
/// patch (the API's `PATCH`) keeps what it leaves out; a whole form (a page) replaces it.
pub trait Patch<Current> {
    type Params;
    /// The version the user saw, when the request carries a readable one.
    fn version(&self) -> Option<i32>;
    /// The new values, checked against `current`.
    ///
    /// # Errors
    /// 422 naming each invalid field.
    fn params(self, current: &Current) -> Result<Self::Params, AppError>;
}

/// Parameters read already, by code rather than from a request (the command line, the demo
/// fixtures): the pipeline still answers role, scope, version and the rules in order.
pub struct Ready<P> {
    pub version: Option<i32>,
    pub params: P,
}

impl<P> Ready<P> {
    /// Parameters that come with no version seen.
    pub fn new(params: P) -> Ready<P> {
        Ready {
            version: None,
            params,
        }
    }
}

impl<P> Command for Ready<P> {
    type Params = P;

    fn version(&self) -> Option<i32> {
        self.version
    }

    fn params(self) -> Result<P, AppError> {
        Ok(self.params)
    }
}
