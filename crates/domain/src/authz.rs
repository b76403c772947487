//! Authorization: one pure function decides; the store enforces the same scope in every query.
//!
//! A principal's rights come from its memberships (role at an agency). A right held at an
//! agency covers that agency's whole subtree, so a commune administrator manages the
//! commune and its centre, and nothing of another commune.

use crate::agency::in_subtree;
use crate::user::{AccountType, Role};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Create, rename, merge agencies under the scope.
    ManageAgencies,
    /// Create, change, disable users serving agencies under the scope.
    ManageUsers,
    /// List and read users serving agencies under the scope.
    ViewUsers,
    /// Read the administrative audit log.
    ViewAudit,
    /// Load yearly holiday schedules (province-wide: needs a root agency's scope).
    ManageCalendar,
    /// Publish, amend, abolish procedures of the province's catalog (root scope).
    ManageCatalog,
    /// Read the indicators (counters, dashboard, 766 index, reports) of the units under the
    /// scope: leaders run their unit by them, supervisors read the province (issue #16).
    ViewIndicators,
    /// Set targets for the units under the scope (leaders and administrators).
    SetTargets,
    /// Enter imported 766 figures and revise the point table (administrators).
    ManageIndex,
    /// Watch the outbox queues and put dead letters back (province-wide: root scope).
    OperateQueues,
    /// Read and handle the petitions about regulations and procedures (PAKN `quy_dinh`)
    /// addressed to the units under the scope.
    HandlePetitions,
    /// Read and handle the petitions about officials' conduct (`can_bo`), and publish
    /// answers: the unit's leaders and inspectors only.
    HandleOfficialPetitions,
    /// Read the log of who read petitioners' contact details.
    ViewContactLog,
    /// Call and serve queue tickets at a counter of the centres under the scope (issue #18).
    ServeQueue,
    /// Set up the queue of the centres under the scope: service groups, counters.
    ManageQueue,
    /// Report what is due for archival, export archive packages and delete the personal
    /// data of archived dossiers past their retention (issue #19): administrators.
    ManageArchive,
}

impl Permission {
    fn granted_to(self, role: Role) -> bool {
        match self {
            Self::ManageAgencies
            | Self::ManageUsers
            | Self::ManageCalendar
            | Self::ManageCatalog
            | Self::OperateQueues
            | Self::ManageIndex => role == Role::Admin,
            Self::ViewUsers | Self::ViewIndicators => matches!(role, Role::Admin | Role::Supervisor | Role::Leader),
            Self::SetTargets => matches!(role, Role::Admin | Role::Leader),
            Self::ServeQueue => role == Role::ReceptionOfficer,
            Self::ManageQueue | Self::ManageArchive => role == Role::Admin,
            Self::ViewAudit => matches!(role, Role::Admin | Role::Supervisor),
            Self::HandlePetitions => {
                matches!(role, Role::ReceptionOfficer | Role::Specialist | Role::Leader | Role::Inspector)
            }
            Self::HandleOfficialPetitions => matches!(role, Role::Leader | Role::Inspector),
            Self::ViewContactLog => matches!(role, Role::Admin | Role::Inspector),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub agency_id: String,
    /// Materialised path of the agency (see `agency::child_path`).
    pub agency_path: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub account: AccountType,
    pub memberships: Vec<Membership>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("permission denied")]
pub struct Denied;

/// The agency subtrees (path prefixes) where `p` holds `perm`. Empty means nowhere.
/// Nested prefixes are collapsed so queries stay short.
pub fn scope(p: &Principal, perm: Permission) -> Vec<String> {
    if p.account != AccountType::Official {
        return Vec::new();
    }
    let mut prefixes: Vec<String> =
        p.memberships.iter().filter(|m| perm.granted_to(m.role)).map(|m| m.agency_path.clone()).collect();
    prefixes.sort();
    prefixes.dedup();
    let mut out: Vec<String> = Vec::with_capacity(prefixes.len());
    for pre in prefixes {
        if !out.iter().any(|o| in_subtree(&pre, o)) {
            out.push(pre);
        }
    }
    out
}

/// May `p` exercise `perm` on the agency at `target_path`?
pub fn authorize(p: &Principal, perm: Permission, target_path: &str) -> Result<(), Denied> {
    if scope(p, perm).iter().any(|s| in_subtree(target_path, s)) { Ok(()) } else { Err(Denied) }
}

/// May `p` exercise `perm` on a user serving the agencies at `target_paths`? Every agency
/// the user serves must be in scope: changing a shared account affects all of them.
/// Accounts serving no agency (citizens) are reachable only from a root agency's scope.
pub fn authorize_user(p: &Principal, perm: Permission, target_paths: &[String]) -> Result<(), Denied> {
    let s = scope(p, perm);
    let ok = if target_paths.is_empty() {
        s.iter().any(|pre| pre.matches('/').count() == 2)
    } else {
        target_paths.iter().all(|t| s.iter().any(|pre| in_subtree(t, pre)))
    };
    if ok { Ok(()) } else { Err(Denied) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn official(ms: &[(&str, Role)]) -> Principal {
        Principal {
            user_id: "u".into(),
            account: AccountType::Official,
            memberships: ms
                .iter()
                .map(|(path, role)| Membership { agency_id: path.to_string(), agency_path: path.to_string(), role: *role })
                .collect(),
        }
    }

    #[test]
    fn commune_admin_is_confined_to_its_commune() {
        let p = official(&[("/p/xa-a/", Role::Admin)]);
        assert!(authorize(&p, Permission::ManageUsers, "/p/xa-a/").is_ok());
        assert!(authorize(&p, Permission::ManageUsers, "/p/xa-a/centre/").is_ok());
        assert_eq!(authorize(&p, Permission::ManageUsers, "/p/xa-b/"), Err(Denied));
        assert_eq!(authorize(&p, Permission::ManageUsers, "/p/"), Err(Denied));
        assert!(authorize_user(&p, Permission::ManageUsers, &["/p/xa-a/".into(), "/p/xa-b/".into()]).is_err());
        assert!(authorize_user(&p, Permission::ManageUsers, &[]).is_err());
    }

    #[test]
    fn province_admin_covers_everything() {
        let p = official(&[("/p/", Role::Admin)]);
        assert!(authorize(&p, Permission::ManageAgencies, "/p/xa-b/x/").is_ok());
        assert!(authorize_user(&p, Permission::ManageUsers, &[]).is_ok());
        assert_eq!(scope(&p, Permission::ViewUsers), vec!["/p/".to_string()]);
    }

    #[test]
    fn roles_grant_what_they_should() {
        let leader = official(&[("/p/so/", Role::Leader)]);
        assert!(authorize(&leader, Permission::ViewUsers, "/p/so/").is_ok());
        assert!(authorize(&leader, Permission::ManageUsers, "/p/so/").is_err());
        let clerk = official(&[("/p/", Role::ReceptionOfficer)]);
        assert!(scope(&clerk, Permission::ViewUsers).is_empty());
        let citizen = Principal { user_id: "c".into(), account: AccountType::Citizen, memberships: vec![] };
        assert!(scope(&citizen, Permission::ViewUsers).is_empty());
    }

    #[test]
    fn nested_scopes_collapse() {
        let p = official(&[("/p/a/", Role::Admin), ("/p/", Role::Admin), ("/p/a/b/", Role::Admin)]);
        assert_eq!(scope(&p, Permission::ManageUsers), vec!["/p/".to_string()]);
    }

    proptest! {
        // Whatever the memberships, authorize agrees with "some granting membership is an ancestor".
        #[test]
        fn authorize_matches_definition(
            ms in proptest::collection::vec((0usize..4, 0usize..6), 0..4),
            target in 0usize..4,
            perm in 0usize..7,
        ) {
            let paths = ["/p/", "/p/a/", "/p/b/", "/p/a/c/"];
            let perms = [Permission::ManageAgencies, Permission::ManageUsers, Permission::ViewUsers, Permission::ViewAudit, Permission::ManageCalendar, Permission::ManageCatalog, Permission::ViewIndicators];
            let pr = official(&ms.iter().map(|(a, r)| (paths[*a], Role::ALL[*r])).collect::<Vec<_>>());
            let perm = perms[perm];
            let expected = ms.iter().any(|(a, r)| perm.granted_to(Role::ALL[*r]) && paths[target].starts_with(paths[*a]));
            prop_assert_eq!(authorize(&pr, perm, paths[target]).is_ok(), expected);
        }
    }
}
