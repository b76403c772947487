//! Workflows (quy trình, liên thông): the ordered steps a dossier goes through after
//! reception, each with the agency that acts, the role that acts and its time budget. The
//! budgets must fit in the procedure's legal limit (REQ-18).

use crate::calendar::{TimeLimit, TimeUnit, check_step_budgets};
use crate::catalog::ProcedureSpec;
use crate::error::{Errors, FieldError, ValidationError};
use crate::user::Role;
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Tiếp nhận: the one-stop counter checks and accepts the dossier.
    Reception,
    /// Thẩm định: a specialist appraises and drafts the result.
    Appraisal,
    /// Phê duyệt: a leader approves.
    Approval,
    /// Ký số: the competent person signs.
    Signing,
    /// Phát hành: the clerical unit numbers and issues the result.
    Issuing,
    /// Chuyển liên thông: the dossier goes to another agency for its part.
    Transfer,
}

impl StepKind {
    pub const ALL: [StepKind; 6] =
        [Self::Reception, Self::Appraisal, Self::Approval, Self::Signing, Self::Issuing, Self::Transfer];

    /// The code used in JSON and in forms (`reception`, `appraisal`…).
    pub fn code(self) -> &'static str {
        match self {
            Self::Reception => "reception",
            Self::Appraisal => "appraisal",
            Self::Approval => "approval",
            Self::Signing => "signing",
            Self::Issuing => "issuing",
            Self::Transfer => "transfer",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Reception => "Tiếp nhận hồ sơ",
            Self::Appraisal => "Thẩm định hồ sơ",
            Self::Approval => "Phê duyệt",
            Self::Signing => "Ký số kết quả",
            Self::Issuing => "Phát hành kết quả",
            Self::Transfer => "Chuyển liên thông",
        }
    }
}

/// Which agency acts at a step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum StepAgency {
    /// Where the dossier was received (the counter or centre).
    Receiving,
    /// The agency competent to decide: the procedure's agency, or the commune of the
    /// reception point, or the one named at reception (REQ-7).
    Competent,
    /// A fixed agency, by its electronic identifier code (inter-agency procedures).
    Fixed { code: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub kind: StepKind,
    /// Shown on the control slip; defaults to the kind's label.
    #[serde(default)]
    pub name: String,
    pub agency: StepAgency,
    pub role: Role,
    pub budget: TimeLimit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub steps: Vec<StepSpec>,
}

impl Workflow {
    /// Checks the workflow against the procedure's legal limit; every problem is reported.
    /// The first step is the reception by the one-stop unit where the dossier was received.
    pub fn validate(mut self, legal: TimeLimit, office_day: SignedDuration) -> Result<Self, ValidationError> {
        let mut errs = Errors::new();
        if self.steps.len() < 2 || self.steps.len() > 20 {
            errs.push(FieldError::new(
                "steps",
                "invalid_step_count",
                "Quy trình phải có từ 2 đến 20 bước (bước đầu là tiếp nhận).",
                "A workflow has 2 to 20 steps (the first is reception).",
            ));
        }
        if let Some(first) = self.steps.first()
            && (first.kind != StepKind::Reception
                || first.agency != StepAgency::Receiving
                || first.role != Role::ReceptionOfficer)
        {
            errs.push(FieldError::new(
                "steps[0]",
                "first_step_reception",
                "Bước đầu tiên phải là tiếp nhận, do cán bộ một cửa nơi tiếp nhận thực hiện.",
                "The first step must be reception, by the reception officer where the dossier was received.",
            ));
        }
        for (i, s) in self.steps.iter_mut().enumerate() {
            s.name = crate::text::clean(&s.name);
            if s.name.is_empty() {
                s.name = s.kind.label_vi().to_string();
            }
            if s.name.chars().count() > 200 {
                errs.push(FieldError::new(
                    format!("steps[{i}].name"),
                    "too_long",
                    "Tên bước tối đa 200 ký tự.",
                    "A step name has at most 200 characters.",
                ));
            }
            if i > 0 && s.kind == StepKind::Reception {
                errs.push(FieldError::new(
                    format!("steps[{i}].kind"),
                    "reception_only_first",
                    "Chỉ bước đầu tiên là tiếp nhận.",
                    "Only the first step is reception.",
                ));
            }
            if matches!(s.role, Role::Admin | Role::Supervisor) {
                errs.push(FieldError::new(
                    format!("steps[{i}].role"),
                    "role_cannot_process",
                    "Quản trị và giám sát không xử lý hồ sơ; chọn cán bộ tiếp nhận, chuyên viên hoặc lãnh đạo.",
                    "Administrators and supervisors do not process dossiers; choose a reception officer, specialist or leader.",
                ));
            }
            if let StepAgency::Fixed { code } = &s.agency
                && code.trim().is_empty()
            {
                errs.push(FieldError::new(
                    format!("steps[{i}].agency.code"),
                    "required",
                    "Nhập mã cơ quan thực hiện bước này.",
                    "Enter the code of the agency acting at this step.",
                ));
            }
        }
        let budgets: Vec<TimeLimit> = self.steps.iter().map(|s| s.budget).collect();
        if let Err(e) = check_step_budgets(&budgets, legal, office_day) {
            errs.push(FieldError::new("steps", e.code(), e.message_vi(), e.message_en()));
        }
        errs.finish()?;
        Ok(self)
    }

    /// The usual one-stop workflow for a procedure: reception at the counter, appraisal by
    /// a specialist and approval by a leader of the competent agency. The legal limit is
    /// shared out (reception and approval get a small fixed part, appraisal the rest).
    pub fn default_for(spec: &ProcedureSpec, office_day: SignedDuration) -> Self {
        let legal = spec.time_limit;
        let office_hours = (office_day.as_secs() / 3600).max(1) as u32;
        let budgets: [TimeLimit; 3] = match legal.unit {
            TimeUnit::Hours => {
                let v = legal.value.max(3);
                [TimeLimit::hours(v / 6), TimeLimit::hours(v - v / 6 - v / 6), TimeLimit::hours(v / 6)]
            }
            TimeUnit::WorkingDays if legal.value <= 1 => {
                [TimeLimit::hours(1), TimeLimit::hours(office_hours.saturating_sub(3).max(1)), TimeLimit::hours(2)]
            }
            TimeUnit::WorkingDays => {
                let total = legal.value * office_hours;
                [TimeLimit::hours(4), TimeLimit::hours(total - 8), TimeLimit::hours(4)]
            }
            TimeUnit::Days | TimeUnit::Months if legal.value >= 3 => {
                let one = TimeLimit { value: 1, unit: legal.unit };
                [one, TimeLimit { value: legal.value - 2, unit: legal.unit }, one]
            }
            TimeUnit::Days | TimeUnit::Months => {
                let zero = TimeLimit { value: 0, unit: legal.unit };
                [zero, legal, zero]
            }
        };
        let step = |kind: StepKind, agency: StepAgency, role: Role, budget: TimeLimit| StepSpec {
            kind,
            name: kind.label_vi().to_string(),
            agency,
            role,
            budget,
        };
        Workflow {
            steps: vec![
                step(StepKind::Reception, StepAgency::Receiving, Role::ReceptionOfficer, budgets[0]),
                step(StepKind::Appraisal, StepAgency::Competent, Role::Specialist, budgets[1]),
                step(StepKind::Approval, StepAgency::Competent, Role::Leader, budgets[2]),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office_day() -> SignedDuration {
        SignedDuration::from_mins(450)
    }

    #[test]
    fn step_kind_codes_are_the_json_names() {
        for k in StepKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
    }

    #[test]
    fn budgets_must_fit_the_legal_limit() {
        let w = Workflow {
            steps: vec![
                StepSpec {
                    kind: StepKind::Reception,
                    name: String::new(),
                    agency: StepAgency::Receiving,
                    role: Role::ReceptionOfficer,
                    budget: TimeLimit::hours(2),
                },
                StepSpec {
                    kind: StepKind::Appraisal,
                    name: "Thẩm định".into(),
                    agency: StepAgency::Competent,
                    role: Role::Specialist,
                    budget: TimeLimit::working_days(3),
                },
            ],
        };
        let ok = w.clone().validate(TimeLimit::working_days(4), office_day()).unwrap();
        assert_eq!(ok.steps[0].name, "Tiếp nhận hồ sơ");
        let err = w.validate(TimeLimit::working_days(3), office_day()).unwrap_err();
        assert_eq!(err.0[0].code, "step_budgets_exceed_limit");
    }

    #[test]
    fn first_step_is_reception_and_roles_process() {
        let w = Workflow {
            steps: vec![
                StepSpec {
                    kind: StepKind::Appraisal,
                    name: String::new(),
                    agency: StepAgency::Competent,
                    role: Role::Admin,
                    budget: TimeLimit::hours(1),
                },
                StepSpec {
                    kind: StepKind::Reception,
                    name: String::new(),
                    agency: StepAgency::Fixed { code: " ".into() },
                    role: Role::Leader,
                    budget: TimeLimit::hours(1),
                },
            ],
        };
        let codes: Vec<&str> =
            w.validate(TimeLimit::working_days(1), office_day()).unwrap_err().0.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"first_step_reception"), "{codes:?}");
        assert!(codes.contains(&"role_cannot_process"), "{codes:?}");
        assert!(codes.contains(&"reception_only_first"), "{codes:?}");
        assert!(codes.contains(&"required"), "{codes:?}");
    }
}
