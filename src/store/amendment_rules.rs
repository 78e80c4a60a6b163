//! A text's rules for amendments (the window, the minimums of supporters and of women among
//! them, whether a rationale is required, who may file), and the counts that screening holds
//! an amendment to. Setting the rules appends `text.amendment_rules_set` in its transaction.

use serde_json::json;
use time::OffsetDateTime;

use super::rows::from_row;
use super::{BeginWrite, Db, NewEvent, StoreResult, append_events, now, on_backend};
use crate::model::{AmendmentId, EventKind, Filers, GroupId, MemberId, TextId};

/// A text's rules for amendments. A text without rules of its own has `AmendmentRules::default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRules {
    pub opens_at: Option<OffsetDateTime>,
    pub closes_at: Option<OffsetDateTime>,
    pub min_supporters: i64,
    /// Of those supporters, how many must be women (parity statutes), counted from what members
    /// declared on their own profile (`Db::amendment_support_counts`).
    pub min_women: i64,
    pub rationale_required: bool,
    pub filers: Filers,
}

impl Default for AmendmentRules {
    fn default() -> AmendmentRules {
        AmendmentRules {
            opens_at: None,
            closes_at: None,
            min_supporters: 0,
            min_women: 0,
            rationale_required: false,
            filers: Filers::Group,
        }
    }
}
from_row!(AmendmentRules {
    opens_at,
    closes_at,
    min_supporters,
    min_women,
    rationale_required,
    filers
});

impl AmendmentRules {
    /// The rules as the event `text.amendment_rules_set` records them (times in RFC 3339).
    fn payload(&self) -> serde_json::Value {
        let time = |t: Option<OffsetDateTime>| {
            t.and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
        };
        json!({
            "opens_at": time(self.opens_at),
            "closes_at": time(self.closes_at),
            "min_supporters": self.min_supporters,
            "min_women": self.min_women,
            "rationale_required": self.rationale_required,
            "filers": self.filers.code(),
        })
    }
}

/// An amendment's supporters counted, and the women among them (those who declared so on their
/// profile: the field is private, only such counts read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SupportCounts {
    pub supporters: i64,
    pub women: i64,
}
from_row!(SupportCounts { supporters, women });

impl Db {
    /// A text's rules for amendments (the defaults when it has none of its own).
    pub async fn amendment_rules(&self, text: TextId) -> StoreResult<AmendmentRules> {
        const SQL: &str = "select opens_at, closes_at, min_supporters, min_women, rationale_required, filers \
             from amendment_rule where text_id = $1";
        let rules: Option<AmendmentRules> = on_backend!(self, pool => {
            sqlx::query_as(SQL).bind(text).fetch_optional(pool).await?
        });
        Ok(rules.unwrap_or_default())
    }

    /// Sets a text's rules for amendments (replacing those it had) on behalf of `actor`, and
    /// appends `text.amendment_rules_set` with the new rules in the same transaction: a
    /// convention's audit follows who changed the window or the minimums, and when. `false`
    /// when there is no such text.
    pub async fn set_amendment_rules(
        &self,
        text: TextId,
        rules: &AmendmentRules,
        actor: Option<MemberId>,
    ) -> StoreResult<bool> {
        const SQL: &str = "insert into amendment_rule (text_id, opens_at, closes_at, min_supporters, min_women, \
             rationale_required, filers, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict (text_id) do update set opens_at = excluded.opens_at, closes_at = excluded.closes_at, \
             min_supporters = excluded.min_supporters, min_women = excluded.min_women, \
             rationale_required = excluded.rationale_required, filers = excluded.filers, \
             updated_at = excluded.updated_at";
        let at = now();
        let (found, last) = on_backend!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let group: Option<GroupId> =
                sqlx::query_scalar("select group_id from text where text_id = $1")
                    .bind(text)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(group) = group else {
                return Ok(false);
            };
            sqlx::query(SQL)
                .bind(text)
                .bind(rules.opens_at)
                .bind(rules.closes_at)
                .bind(rules.min_supporters)
                .bind(rules.min_women)
                .bind(rules.rationale_required)
                .bind(rules.filers)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let event = [NewEvent::text(
                EventKind::TextAmendmentRulesSet,
                text,
                group,
                actor,
                rules.payload(),
            )];
            let last = append_events!(tx, &event, at);
            tx.commit().await?;
            (true, last)
        });
        self.appended(last);
        Ok(found)
    }

    /// An amendment's supporters counted, and the women among them. Its author is not among
    /// them: supporters are other members (one cannot support one's own amendment).
    pub async fn amendment_support_counts(&self, id: AmendmentId) -> StoreResult<SupportCounts> {
        const SQL: &str = "select count(*) as supporters, \
             coalesce(sum(case when m.gender = 'woman' then 1 else 0 end), 0) as women \
             from amendment_supporter s join member m on m.member_id = s.member_id \
             where s.amendment_id = $1";
        Ok(on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_one(pool).await?))
    }
}
