//! Who may act on a dossier: the actor and the agencies they serve, and who may read it.

use super::state::Dossier;
use crate::agency::in_subtree;
use crate::authz::Membership;
use crate::user::{AccountType, Role};

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: &'a str,
    pub account: AccountType,
    pub memberships: &'a [Membership],
}

impl Actor<'_> {
    pub(super) fn owns(&self, d: &Dossier) -> bool {
        d.owner_id.as_deref() == Some(self.user_id)
    }

    /// Holds `role` at an agency that serves `agency_path`: the agency itself, a unit above
    /// it, or a unit directly below it (a counter serves its centre's online queue, a
    /// department's office serves the department).
    pub fn serves(&self, role: Role, agency_path: &str) -> bool {
        self.account == AccountType::Official
            && self.memberships.iter().any(|m| {
                m.role == role && (in_subtree(agency_path, &m.agency_path) || parent_path(&m.agency_path) == Some(agency_path))
            })
    }

    pub(super) fn at_step(&self, d: &Dossier) -> bool {
        d.current_step().is_some_and(|s| self.serves(s.role, &s.agency.path))
    }

    pub(super) fn at_counter(&self, d: &Dossier) -> bool {
        self.serves(Role::ReceptionOfficer, &d.receiving.path)
    }
}

fn parent_path(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    let cut = trimmed.rfind('/')?;
    (cut > 0).then(|| &path[..=cut])
}

/// May `a` read the dossier? Its applicant; an official serving (any role) the agency that
/// received it, the competent agency or any agency of its workflow; a supervisor or
/// administrator over the receiving agency's subtree.
pub fn may_read(d: &Dossier, a: &Actor<'_>) -> bool {
    if a.owns(d) {
        return true;
    }
    if a.account != AccountType::Official {
        return false;
    }
    let mut paths: Vec<&str> = vec![&d.receiving.path];
    paths.extend(d.competent.as_ref().map(|c| c.path.as_str()));
    paths.extend(d.steps.iter().map(|s| s.agency.path.as_str()));
    a.memberships.iter().any(|m| match m.role {
        Role::Supervisor | Role::Admin => in_subtree(&d.receiving.path, &m.agency_path),
        role => paths.iter().any(|p| a.serves(role, p)),
    })
}
