//! Authentication (bearer tokens) and the one place requests are
//! authorised: [`guard`], which applies `duban_core::policy`.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use duban_core::policy::{authorize, Action, Denied, Principal};
use duban_store::Region;

/// The caller: every endpoint but `/healthz` needs a valid
/// `Authorization: Bearer …` token, so anonymous requests stop here, before
/// any body is read.
pub struct Caller(pub Option<Principal>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Err(Denied::Unauthenticated.into());
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() < 200)
            .ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Authorization 头格式应为“Bearer 令牌”。/ Use `Authorization: Bearer TOKEN`.",
                )
            })?;
        match state.store.principal_for_token(token).await? {
            Some(p) => Ok(Caller(Some(p))),
            None => Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "令牌无效或已撤销。/ The token is invalid or revoked.",
            )),
        }
    }
}

/// Resolves the region and decides whether the caller may do `action`
/// there. Every handler goes through here.
pub async fn guard(
    state: &AppState,
    caller: &Caller,
    region: &str,
    action: Action,
) -> Result<Region, ApiError> {
    guard_for(state, caller.0.as_ref(), region, action).await
}

/// [`guard`] for a caller known some other way (a browser session): the
/// pages and the API share this one check.
pub async fn guard_for(
    state: &AppState,
    who: Option<&Principal>,
    region: &str,
    action: Action,
) -> Result<Region, ApiError> {
    let guarded = guard_read(state, who, region).await?;
    guarded.allow(&action)?;
    Ok(guarded.region)
}

/// A region the caller may read, resolved once, for requests whose action
/// depends on an object that must first be loaded from the region (a
/// visit's campaign, a rectification item's units): load it from
/// `region`, then [`Guarded::allow`] the action it implies. The region is
/// not looked up, nor its scope checked, a second time.
pub struct Guarded<'a> {
    who: Option<&'a Principal>,
    in_region: bool,
    pub region: Region,
}

impl Guarded<'_> {
    /// Whether the caller may do `action` in this region.
    pub fn allow(&self, action: &Action) -> Result<(), ApiError> {
        Ok(authorize(self.who, self.in_region, action)?)
    }
}

/// Resolves the region and checks that the caller may read it; further
/// actions are checked with [`Guarded::allow`].
pub async fn guard_read<'a>(
    state: &AppState,
    who: Option<&'a Principal>,
    region: &str,
) -> Result<Guarded<'a>, ApiError> {
    // Unauthenticated callers learn nothing, not even whether a region exists.
    authorize(who, true, &Action::Read)?;
    let region = state.store.region(region).await?;
    let in_region = match who {
        Some(p) => {
            state
                .store
                .region_in_scope(&p.region_id, &region.id)
                .await?
        }
        None => false,
    };
    // Outside the caller's scope nothing is loaded from the region.
    authorize(who, in_region, &Action::Read)?;
    Ok(Guarded {
        who,
        in_region,
        region,
    })
}

/// For endpoints outside any region (the region list, the API description).
pub fn signed_in(caller: &Caller) -> Result<&Principal, ApiError> {
    authorize(caller.0.as_ref(), true, &Action::Read)?;
    Ok(caller.0.as_ref().expect("authorised callers are signed in"))
}
