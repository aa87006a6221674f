"""The demo years 2020 and 2019 (示例数据): units, trees, every score input, demo accounts.

The source plan names the structure of its attachments but not their rows, so these rows are
an illustrative reconstruction, labelled as sample data wherever they are shown. The bureau's
附件1 and the common 附件2 are spelled out below; the other units' performance trees and every
score are generated from per-unit tables with ``random.Random(2020)``, so each load produces
the same numbers on every machine and database.

Decisions the description leaves open:

* 区委办 and 区政府办 are two units (C01, C02). The two 附件2 rows collected by
  "区委办、区政府办" name 区委办 as the collection unit; the rule text names both.
* Every reviewer-judgement leaf, performance and self-construction alike, is scored by the
  joint evaluation group (reviewer1..3), on the material of the data-collection unit.
  Collection units enter only finding counts (满分倒扣) and actual/target values (完成率).
* The cycle is left in the assessment phase with computed results, so that every workflow
  of the demo can still be tried; all 19 results are complete (none provisional).
* 祥平街道 and 西柯街道 end on the same composite (equal rank, same grade), to show how a tie
  is ranked.
* A previous year, 2019, is loaded beside 2020 so that score cards, trends and the
  year-over-year tables have something to compare with. It has the same units, groups and
  indicator trees (the trees are drawn from the same seed before any score), each unit
  performing somewhat differently (``PREVIOUS_FORM``), its own smaller lists of bonuses,
  deductions and city incentives, and it is finalized (定档) with its results and hash.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from jixiao.accounts.models import Membership, Role, Unit, User
from jixiao.adjustments.models import (
    AdjustmentRules,
    BonusClaim,
    BonusItem,
    BonusStandard,
    CityIncentive,
    ClaimState,
    DeductionItem,
    DeductionStandard,
    Finding,
    FindingState,
    Inspection,
    InspectionKind,
    Level,
)
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Participation, Phase, RankingGroup
from jixiao.evaluations.models import CollectionValue, Part, ReviewScore
from jixiao.indicators.models import Aggregation, Indicator, Method, Source, Tree
from jixiao.surveys.models import PublicScore

CYCLE_CODE = "2020"
CYCLE_NAME = "2020年度绩效管理考评(示例数据)"
PREVIOUS_CODE = "2019"
PREVIOUS_NAME = "2019年度绩效管理考评(示例数据)"
#: One password for every demo account; printed by ``manage.py demo_accounts``.
DEMO_PASSWORD = "jixiao-demo-2020"
BUREAU_CODE = "G01"
SEED = 2020

_CENT = Decimal("0.01")
_M = TypeVar("_M", bound=models.Model)
_HALF = Decimal("0.5")


# Units and groups -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short_name: str
    #: How well the unit did, in per mille of full marks; drives every generated score.
    form: int = 0


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    units: tuple[UnitSpec, ...]


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        "ZF",
        "区直政府部门",
        (
            UnitSpec("G01", "区退役军人事务局", "退役军人局", 910),
            UnitSpec("G02", "区发展和改革局", "发改局", 900),
            UnitSpec("G03", "区教育局", "教育局", 870),
            UnitSpec("G04", "区民政局", "民政局", 860),
            UnitSpec("G05", "区财政局", "财政局", 845),
            UnitSpec("G06", "区人力资源和社会保障局", "人社局", 870),
            UnitSpec("G07", "区住房和建设局", "住建局", 835),
            UnitSpec("G08", "区卫生健康局", "卫健局", 865),
            UnitSpec("G09", "区市场监督管理局", "市场监管局", 850),
            UnitSpec("G10", "区文化和旅游局", "文旅局", 725),
            UnitSpec("G11", "区司法局", "司法局", 875),
        ),
    ),
    GroupSpec(
        "SY",
        "区直事业单位",
        (
            UnitSpec("S01", "区退役军人服务中心", "退役军人服务中心", 885),
            UnitSpec("S02", "区行政服务中心", "行政服务中心", 900),
            UnitSpec("S03", "区大数据中心", "大数据中心", 855),
        ),
    ),
    GroupSpec(
        "ZJ",
        "镇(街)",
        (
            UnitSpec("Z01", "大同街道", "大同街道", 910),
            UnitSpec("Z02", "祥平街道", "祥平街道", 855),
            UnitSpec("Z03", "西柯街道", "西柯街道", 850),
            UnitSpec("Z04", "新民镇", "新民镇", 740),
            UnitSpec("Z05", "洪塘镇", "洪塘镇", 830),
        ),
    ),
)

#: Data-collection units that are not assessed themselves.
COLLECTION_UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("C01", "区委办", "区委办"),
    UnitSpec("C02", "区政府办", "区政府办"),
    UnitSpec("C03", "区效能督查办", "效能办"),
    UnitSpec("C04", "区政务服务中心", "政务服务中心"),
    UnitSpec("C05", "区纪委监委", "纪委监委"),
    UnitSpec("C06", "区审计局", "审计局"),
)

#: The pair whose composites are made equal (see the module docstring).
TIE = ("Z02", "Z03")


# Indicator rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeafSpec:
    code: str
    name: str
    points: Decimal
    method: Method
    target: str = ""
    rule: str = ""
    source: str = ""
    source_detail: str = ""
    office: str = ""
    person: str = ""
    deadline: date | None = None
    aggregation: Aggregation = Aggregation.MEAN
    completion: Decimal | None = None
    progress: Decimal | None = None
    per_finding: Decimal | None = None
    collection_unit: str = ""  # unit code
    #: RATIO leaves: what actual and target count, for the collection note.
    measure: str = ""


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    leaves: tuple[LeafSpec, ...]

    @property
    def points(self) -> Decimal:
        return sum((leaf.points for leaf in self.leaves), Decimal(0))


_SOURCE_OF = {
    "区政府工作报告": Source.DECISION,
    "区委全会": Source.DECISION,
    "全区经济工作会议": Source.DECISION,
    "六稳": Source.KEY_WORK,
    "三大攻坚战": Source.KEY_WORK,
    "高质量发展": Source.KEY_WORK,
    "生态文明建设": Source.KEY_WORK,
    "重点项目": Source.KEY_WORK,
    "职能职责": Source.OWN_PLAN,
    "年度工作要点": Source.OWN_PLAN,
}

_JUDGED = "联合评估组对照目标任务评分:全面完成得满分,部分完成按完成程度和质量酌情评分。"


def _bureau_leaf(
    code: str,
    name: str,
    points: int,
    origin: str,
    target: str,
    office: str,
    person: str,
    deadline: date,
    **extra: Any,
) -> LeafSpec:
    extra.setdefault("method", Method.JUDGEMENT)
    extra.setdefault("rule", _JUDGED)
    return LeafSpec(
        code=code,
        name=name,
        points=Decimal(points),
        target=target,
        source=_SOURCE_OF[origin],
        source_detail=origin,
        office=office,
        person=person,
        deadline=deadline,
        **extra,
    )


_END = date(2020, 12, 31)

#: 附件1 of the bureau (DEMO-2020.md), with targets, offices and deadlines filled in.
BUREAU_TREE: tuple[AreaSpec, ...] = (
    AreaSpec(
        "1",
        "服务保障体系建设",
        (
            _bureau_leaf(
                "1.1",
                "区、镇(街)、村(居)三级退役军人服务站规范化建设",
                20,
                "区政府工作报告",
                "区退役军人服务中心和各镇(街)、村(居)服务站全部达到“有机构牌子、有编制人员、"
                "有工作经费、有服务场所、有制度机制”标准,年底前通过市级验收。",
                "办公室",
                "林晓燕",
                _END,
            ),
            _bureau_leaf(
                "1.2",
                "退役军人信息采集与“一人一档”管理",
                15,
                "职能职责",
                "完成全区退役军人和其他优抚对象信息采集核对,建档率100%,"
                "信息系统数据准确率不低于98%。",
                "办公室",
                "林晓燕",
                date(2020, 9, 30),
            ),
        ),
    ),
    AreaSpec(
        "2",
        "移交安置与就业创业",
        (
            _bureau_leaf(
                "2.1",
                "退役士兵安置任务完成率",
                20,
                "区委全会",
                "完成2020年度符合政府安排工作条件退役士兵的安置任务,安置率100%,"
                "岗位落实质量较上年提高。",
                "移交安置和就业创业科",
                "黄志明",
                _END,
                method=Method.COMPLETION_PROGRESS,
                completion=Decimal(15),
                progress=Decimal(5),
                rule="完成情况15分,按安置任务完成率评分;进步情况5分,与2019年相比评分。",
            ),
            _bureau_leaf(
                "2.2",
                "退役军人就业创业培训与推荐就业",
                15,
                "六稳",
                "组织适应性培训和职业技能培训不少于300人次,举办专场招聘会不少于4场,"
                "推荐就业不少于200人。",
                "移交安置和就业创业科",
                "黄志明",
                date(2020, 11, 30),
                method=Method.COMPLETION_PROGRESS,
                completion=Decimal(10),
                progress=Decimal(5),
                rule="完成情况10分,按培训和推荐就业人数评分;进步情况5分,与2019年相比评分。",
            ),
            _bureau_leaf(
                "2.3",
                "创业扶持与金融政策落实",
                10,
                "年度工作要点",
                "落实退役军人创业担保贷款及贴息政策,建成退役军人创业孵化基地1个。",
                "移交安置和就业创业科",
                "黄志明",
                _END,
            ),
        ),
    ),
    AreaSpec(
        "3",
        "优抚帮扶",
        (
            _bureau_leaf(
                "3.1",
                "优抚对象抚恤补助按时足额发放",
                15,
                "职能职责",
                "各类优抚对象抚恤补助金按月足额发放到位,发放准确率100%,无挤占挪用。",
                "拥军优抚科",
                "吴丽娟",
                _END,
            ),
            _bureau_leaf(
                "3.2",
                "困难退役军人帮扶援助",
                15,
                "三大攻坚战",
                "建立困难退役军人动态台账,帮扶援助覆盖率100%,确保无因困返贫。",
                "拥军优抚科",
                "吴丽娟",
                _END,
            ),
            _bureau_leaf(
                "3.3",
                "优抚对象医疗保障与短期疗养",
                10,
                "年度工作要点",
                "落实优抚对象医疗保障政策,组织重点优抚对象短期疗养不少于2批次。",
                "拥军优抚科",
                "吴丽娟",
                date(2020, 10, 31),
            ),
        ),
    ),
    AreaSpec(
        "4",
        "双拥共建",
        (
            _bureau_leaf(
                "4.1",
                "全国双拥模范城创建",
                20,
                "区委全会",
                "对照全国双拥模范城(县)考评标准,完成迎检各项准备工作,助力全市创建成功。",
                "拥军优抚科",
                "郑文彬",
                date(2020, 10, 31),
                aggregation=Aggregation.TRIMMED_MEAN,
                rule="联合评估组评分,去掉一个最高分和一个最低分后取平均分"
                "(评分人少于5人时取平均分)。",
            ),
            _bureau_leaf(
                "4.2",
                "军地共建与拥军优属活动",
                10,
                "年度工作要点",
                "春节、“八一”期间走访慰问驻区部队和重点优抚对象,“光荣之家”光荣牌悬挂全覆盖。",
                "拥军优抚科",
                "郑文彬",
                date(2020, 8, 31),
            ),
        ),
    ),
    AreaSpec(
        "5",
        "褒扬纪念",
        (
            _bureau_leaf(
                "5.1",
                "烈士纪念设施保护管理",
                15,
                "职能职责",
                "完成零散烈士纪念设施集中保护和修缮,烈士陵园管理达到市级规范化标准。",
                "思想政治和权益维护科",
                "许明辉",
                date(2020, 11, 30),
            ),
            _bureau_leaf(
                "5.2",
                "英烈褒扬宣传活动",
                10,
                "年度工作要点",
                "组织清明祭英烈、烈士纪念日公祭活动,开展英烈事迹进校园宣讲不少于10场。",
                "思想政治和权益维护科",
                "许明辉",
                date(2020, 9, 30),
            ),
        ),
    ),
    AreaSpec(
        "6",
        "权益维护",
        (
            _bureau_leaf(
                "6.1",
                "退役军人信访事项按期办结率",
                15,
                "全区经济工作会议",
                "退役军人信访事项按期办结率100%,群众满意率不低于90%。",
                "思想政治和权益维护科",
                "许明辉",
                _END,
                method=Method.RATIO,
                rule="得分 = 分值 × 按期办结件数 ÷ 应办结件数(不超过分值)。",
                measure="按期办结件数 ÷ 应办结件数",
            ),
            _bureau_leaf(
                "6.2",
                "矛盾纠纷排查化解",
                10,
                "职能职责",
                "每季度开展涉军矛盾纠纷排查,化解率不低于95%,无赴省进京非正常上访。",
                "思想政治和权益维护科",
                "许明辉",
                _END,
            ),
        ),
    ),
)


def _common_leaf(
    code: str, name: str, points: int, unit: str, method: Method, rule: str, **extra: Any
) -> LeafSpec:
    return LeafSpec(
        code=code,
        name=name,
        points=Decimal(points),
        method=method,
        rule=rule,
        collection_unit=unit,
        **extra,
    )


def _per_finding(points: int) -> str:
    return f"满分倒扣:每发现一起扣{points}分,扣完为止。"


#: 附件2, common to every unit (DEMO-2020.md).
COMMON_TREE: tuple[AreaSpec, ...] = (
    AreaSpec(
        "1",
        "科学行政",
        (
            _common_leaf(
                "1.1",
                "重大决策部署落实",
                80,
                "C01",
                Method.JUDGEMENT,
                "区委办、区政府办提供督查材料,联合评估组评分。",
            ),
            _common_leaf(
                "1.2",
                "政务公开",
                60,
                "C02",
                Method.DEDUCTION,
                _per_finding(2),
                per_finding=Decimal(2),
            ),
            _common_leaf(
                "1.3",
                "数字政府与信息化建设",
                60,
                "S03",
                Method.RATIO,
                "得分 = 分值 × 信息化建设任务完成率。",
                measure="已完成任务数(%) ÷ 应完成任务数(%)",
            ),
        ),
    ),
    AreaSpec(
        "2",
        "依法行政",
        (
            _common_leaf(
                "2.1",
                "法治政府建设",
                80,
                "G11",
                Method.JUDGEMENT,
                "区司法局提供考核材料,联合评估组评分。",
            ),
            _common_leaf(
                "2.2",
                "行政复议与行政诉讼",
                60,
                "G11",
                Method.DEDUCTION,
                "满分倒扣:行政复议被撤销或行政诉讼败诉,每起扣5分,扣完为止。",
                per_finding=Decimal(5),
            ),
            _common_leaf(
                "2.3",
                "行政执法规范化",
                60,
                "G11",
                Method.DEDUCTION,
                _per_finding(2),
                per_finding=Decimal(2),
            ),
        ),
    ),
    AreaSpec(
        "3",
        "高效行政",
        (
            _common_leaf(
                "3.1",
                "效能督查与作风建设",
                80,
                "C03",
                Method.DEDUCTION,
                _per_finding(2),
                per_finding=Decimal(2),
            ),
            _common_leaf(
                "3.2",
                "12345便民服务平台诉求办理",
                60,
                "C04",
                Method.RATIO,
                "得分 = 分值 × 诉求按期办结率。",
                measure="按期办结率(%) ÷ 目标值(%)",
            ),
            _common_leaf(
                "3.3",
                "人大建议和政协提案办理",
                50,
                "C01",
                Method.JUDGEMENT,
                "区委办、区政府办提供办理情况,联合评估组评分。",
            ),
            _common_leaf(
                "3.4",
                "审批服务便民化",
                60,
                "S02",
                Method.RATIO,
                "得分 = 分值 × 审批服务事项网上可办率。",
                measure="网上可办率(%) ÷ 目标值(%)",
            ),
        ),
    ),
    AreaSpec(
        "4",
        "廉洁行政",
        (
            _common_leaf(
                "4.1",
                "党风廉政建设主体责任",
                80,
                "C05",
                Method.JUDGEMENT,
                "区纪委监委提供考核材料,联合评估组评分。",
            ),
            _common_leaf(
                "4.2",
                "审计发现问题整改",
                40,
                "C06",
                Method.RATIO,
                "得分 = 分值 × 已整改问题数 ÷ 审计发现问题数。",
                measure="已整改问题数 ÷ 审计发现问题数",
            ),
            _common_leaf(
                "4.3",
                "财政资金绩效管理",
                30,
                "G05",
                Method.JUDGEMENT,
                "区财政局提供绩效评价结果,联合评估组评分。",
            ),
        ),
    ),
)


#: The other units' lines of work: first-level indicators and their second-level ones.
#: Points, sources, methods, offices and deadlines are generated from these names.
UNIT_WORK: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "G02": (
        ("重点项目建设", ("省市重点项目投资完成率", "区级重点项目前期工作", "项目策划生成与储备")),
        ("经济运行调度", ("固定资产投资增长", "经济运行监测分析")),
        ("营商环境优化", ("营商环境评价指标提升", "社会信用体系建设")),
        ("重点领域改革", ("年度改革任务落实", "价格监督与成本调查")),
        ("协调发展", ("节能降耗目标完成", "山海协作与乡村振兴项目")),
    ),
    "G03": (
        ("学位供给", ("新建改扩建校舍项目", "公办幼儿园学位扩容")),
        ("教育质量", ("义务教育质量提升", "普通高中教育质量", "教师队伍建设")),
        ("教育公平", ("学生资助政策落实", "随迁子女入学保障", "特殊教育发展")),
        ("校园安全", ("校园安全隐患排查整治", "学校疫情防控与卫生")),
        ("教育改革", ("集团化办学改革", "课后服务全覆盖")),
        ("体育与艺术教育", ("学生体质健康达标", "校园足球与艺术教育")),
    ),
    "G04": (
        ("社会救助", ("城乡低保动态管理", "特困人员供养", "临时救助")),
        ("养老服务", ("居家社区养老服务照料中心建设", "养老机构安全管理")),
        ("儿童福利与残疾人保障", ("困境儿童保障", "残疾人两项补贴发放")),
        ("基层治理", ("城乡社区治理", "社会组织登记管理")),
        ("专项事务", ("殡葬改革", "区划地名管理")),
    ),
    "G05": (
        ("财政收入", ("一般公共预算收入完成", "财政收入质量提升")),
        ("预算管理", ("预算编制与执行进度", "预算绩效管理全覆盖")),
        ("民生保障", ("民生支出保障", "直达资金监管")),
        ("风险防控", ("政府债务风险化解", "国有资产管理")),
        ("财政监督", ("会计监督检查", "政府采购规范管理")),
    ),
    "G06": (
        ("稳就业", ("城镇新增就业", "重点群体就业帮扶", "职业技能提升行动")),
        ("社会保障", ("社会保险扩面征缴", "社保基金安全监管")),
        ("人才工作", ("高层次人才引进", "人才住房与服务保障")),
        ("劳动关系", ("根治欠薪", "劳动人事争议调解仲裁")),
        ("人事管理", ("事业单位公开招聘", "工资福利规范管理")),
    ),
    "G07": (
        ("城市建设", ("市政基础设施项目建设", "老旧小区改造")),
        ("住房保障", ("保障性住房建设与分配", "房地产市场监管")),
        ("建筑业发展", ("建筑业产值增长", "建筑市场秩序整治")),
        ("安全生产", ("建筑施工安全监管", "自建房安全隐患排查")),
        ("人居环境", ("农村人居环境整治", "建筑工地扬尘防治")),
    ),
    "G08": (
        ("疫情防控", ("新冠肺炎疫情防控", "核酸检测能力建设")),
        ("医疗服务", ("紧密型医共体建设", "基层医疗卫生服务能力提升", "区医院重点专科建设")),
        ("公共卫生", ("基本公共卫生服务项目", "爱国卫生运动")),
        ("健康保障", ("家庭医生签约服务", "妇幼健康服务")),
        ("卫生监督", ("医疗机构依法执业监督", "职业健康监管")),
        ("中医药发展", ("基层中医药服务能力", "中医药适宜技术推广")),
    ),
    "G09": (
        ("市场主体培育", ("商事制度改革", "个体工商户转型升级")),
        ("质量提升", ("质量强区建设", "知识产权创造与保护")),
        ("安全监管", ("食品安全监管", "特种设备安全监察", "药品医疗器械监管")),
        ("市场秩序", ("价格监督检查", "消费者权益保护")),
        ("执法规范", ("“双随机、一公开”监管", "综合执法办案")),
    ),
    "G10": (
        ("公共文化服务", ("公共文化设施建设", "文化惠民活动")),
        ("文旅融合", ("全域旅游示范区创建", "文旅项目招商")),
        ("文物保护", ("文物保护单位修缮", "非物质文化遗产传承")),
        ("市场管理", ("文化市场综合执法", "旅游安全与服务质量监管")),
        ("体育事业", ("全民健身设施建设", "体育赛事活动")),
    ),
    "G11": (
        ("法治政府建设", ("法治政府建设示范创建", "重大行政决策合法性审查")),
        ("公共法律服务", ("公共法律服务体系建设", "法律援助")),
        ("人民调解", ("矛盾纠纷多元化解", "人民调解组织规范化")),
        ("社区矫正与安置帮教", ("社区矫正监督管理", "刑满释放人员安置帮教")),
        ("普法依法治理", ("“七五”普法总结验收", "民法典学习宣传")),
    ),
    "S01": (
        ("服务中心运行", ("服务窗口规范运行", "镇(街)服务站业务指导")),
        ("就业服务", ("退役军人招聘对接活动", "退役士兵适应性培训组织")),
        ("帮扶援助", ("困难退役军人走访慰问", "帮扶援助资金发放")),
        ("褒扬服务", ("烈士纪念日活动保障", "烈士陵园日常管理")),
        ("信息与档案", ("退役军人信息采集核对", "档案数字化管理")),
    ),
    "S02": (
        ("审批制度改革", ("“一趟不用跑”事项比例", "“一窗受理”综合窗口改革")),
        ("服务效能", ("即办件比例", "“好差评”差评整改")),
        ("平台建设", ("网上办事大厅应用", "自助服务终端布设")),
        ("窗口管理", ("窗口人员考核管理", "延时错时预约服务")),
        ("企业服务", ("工程建设项目审批提速", "企业开办一日办结")),
    ),
    "S03": (
        ("数字基础设施", ("政务外网升级改造", "政务云平台安全运维")),
        ("数据共享", ("政务数据汇聚共享", "公共数据开放")),
        ("智慧城市", ("城市大脑项目建设", "智慧社区试点")),
        ("网络安全", ("网络安全等级保护", "网络安全事件应急处置")),
        ("信息化项目管理", ("信息化项目统筹审核", "电子证照归集应用")),
    ),
    "Z01": (
        ("经济发展", ("招商引资与项目落地", "楼宇经济与税收贡献")),
        ("城市管理", ("市容环境整治", "违法建设治理", "生活垃圾分类")),
        ("社会治理", ("网格化服务管理", "信访维稳", "安全生产")),
        ("民生保障", ("社区居家养老服务", "就业创业服务")),
        ("党建引领", ("基层党组织建设", "社区治理创新")),
    ),
    "Z02": (
        ("经济发展", ("固定资产投资", "招商引资")),
        ("征地拆迁", ("重点项目征地拆迁", "安置房建设")),
        ("城市管理", ("环境卫生整治", "违法建设治理")),
        ("社会治理", ("平安建设", "疫情防控")),
        ("民生事业", ("困难群众救助", "社区文化体育活动")),
    ),
    "Z03": (
        ("产业发展", ("工业企业技术改造", "招商引资")),
        ("城乡融合", ("村居环境整治", "村级集体经济发展")),
        ("生态环境", ("河长制落实", "大气污染防治")),
        ("社会治理", ("综治维稳", "安全生产")),
        ("民生服务", ("教育卫生配套建设", "困难群众帮扶")),
    ),
    "Z04": (
        ("工业发展", ("规模以上工业产值", "工业园区建设")),
        ("乡村振兴", ("特色农业产业发展", "美丽乡村建设")),
        ("生态环境", ("溪流水质保护", "畜禽养殖污染整治")),
        ("社会治理", ("平安乡镇建设", "安全生产隐患整治")),
        ("民生保障", ("脱贫攻坚成果巩固", "农村养老服务")),
    ),
    "Z05": (
        ("经济发展", ("农业现代化", "乡村旅游", "招商引资")),
        ("乡村振兴", ("美丽乡村建设", "农村人居环境整治", "脱贫攻坚成果巩固")),
        ("生态保护", ("河道综合治理", "生态公益林管护")),
        ("社会治理", ("综治信访", "安全生产", "森林防灭火")),
    ),
}

_OFFICES = {
    "G": ("办公室", "综合科", "业务一科", "业务二科", "政策法规科", "计划财务科"),
    "S": ("综合部", "业务部", "服务部", "技术部"),
    "Z": ("党政办", "经济发展办", "社会事务办", "综治办", "城建办", "农业服务中心"),
}
_SURNAMES = "陈林黄张李王吴刘蔡杨郑许洪叶苏庄"
_GIVEN = ("建华", "志坚", "丽红", "明辉", "海燕", "文斌", "晓东", "秀英", "国平", "雅琴", "振宇")
_DEADLINES = (date(2020, 6, 30), date(2020, 9, 30), date(2020, 11, 30), date(2020, 12, 31))
_ORIGINS = {
    Source.DECISION: ("区政府工作报告", "区委全会", "全区经济工作会议"),
    Source.KEY_WORK: ("高质量发展", "六稳", "三大攻坚战", "生态文明建设", "重点项目"),
    Source.OWN_PLAN: ("年度工作要点", "职能职责"),
}
_TARGETS = (
    "{name}年度目标任务全面完成,各时间节点按期推进。",
    "{name}工作成效较上年有提升,形成可复制推广的经验做法。",
    "{name}各项任务完成率100%,全年无重大问题和负面舆情。",
    "{name}按年度工作方案落实到位,群众和服务对象满意度不低于90%。",
)


def _split(total: int, minimums: Sequence[int], rng: random.Random, step: int = 5) -> list[int]:
    """``total`` split into parts of at least ``minimums``, in multiples of ``step``."""
    parts = list(minimums)
    for _ in range((total - sum(parts)) // step):
        parts[rng.randrange(len(parts))] += step
    return parts


def generated_tree(code: str, rng: random.Random) -> tuple[AreaSpec, ...]:
    """A 200-point performance tree for one unit from its line of work in ``UNIT_WORK``."""
    work = UNIT_WORK[code]
    area_points = _split(200, [10 * len(names) for _, names in work], rng)
    offices = _OFFICES[code[0]]
    areas: list[AreaSpec] = []
    for i, ((area_name, names), points) in enumerate(zip(work, area_points, strict=True), 1):
        office = offices[(i - 1) % len(offices)]
        person = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        leaves: list[LeafSpec] = []
        for j, (name, leaf_points) in enumerate(
            zip(names, _split(points, [5] * len(names), rng), strict=True), 1
        ):
            # The district's major decisions must be in every tree: the first leaf is one.
            if i == 1 and j == 1:
                source = Source.DECISION
            else:
                source = rng.choice(
                    (Source.DECISION, Source.KEY_WORK, Source.OWN_PLAN, Source.OWN_PLAN)
                )
            extra: dict[str, Any] = {"method": Method.JUDGEMENT, "rule": _JUDGED}
            if i == 1 and j == 1 and leaf_points >= 15:
                extra = {
                    "method": Method.COMPLETION_PROGRESS,
                    "completion": Decimal(leaf_points - 5),
                    "progress": Decimal(5),
                    "rule": f"完成情况{leaf_points - 5}分,按目标完成程度评分;"
                    "进步情况5分,与2019年相比评分。",
                }
            leaves.append(
                LeafSpec(
                    code=f"{i}.{j}",
                    name=name,
                    points=Decimal(leaf_points),
                    target=rng.choice(_TARGETS).format(name=name),
                    source=source,
                    source_detail=rng.choice(_ORIGINS[source]),
                    office=office,
                    person=person,
                    deadline=rng.choice(_DEADLINES),
                    **extra,
                )
            )
        areas.append(AreaSpec(str(i), area_name, tuple(leaves)))
    return tuple(areas)


# Adjustments ----------------------------------------------------------------------------------

#: (unit, points, source) — 市对区绩效考评激励得分.
CITY_INCENTIVES: tuple[tuple[str, str, str], ...] = (
    ("G01", "3", "市对区绩效考评“退役军人服务保障体系建设”项目获评优秀"),
    ("G02", "4", "市对区绩效考评“重点项目建设”项目排名全市第一"),
    ("G06", "2", "市对区绩效考评“稳就业”项目获评优秀"),
    ("Z01", "2", "市对区绩效考评“城市管理综合执法”项目排名靠前"),
)

#: (unit, category, title, points, approved) — following the illustrative standards.
BONUSES: tuple[tuple[str, int, str, str, bool], ...] = (
    ("G01", 4, "区退役军人服务中心获评全国退役军人服务中心(站)建设示范单位", "5", True),
    ("G01", 6, "“光荣之家”走访慰问工作获区委主要领导书面批示肯定", "2", True),
    ("G01", 6, "双拥共建经验做法获区政府主要领导书面批示肯定", "2", True),
    ("G03", 5, "“集团化办学”机制创新获全省创新成果评选第二名", "3", True),
    ("G06", 1, "稳就业经验做法获省政府通报表扬", "10", True),
    ("G08", 6, "疫情防控工作获区领导批示肯定(佐证材料不全,不予核准)", "2", False),
    ("S02", 6, "“一趟不用跑”改革获区主要领导书面批示肯定", "2", True),
    ("Z01", 2, "社区网格化治理做法获国家部委主要负责人批示肯定", "5", True),
)

#: (unit, standard code, description, count, points, level, found on) — 附件4 standards.
DEDUCTIONS: tuple[tuple[str, str, str, int, str, Level, date], ...] = (
    ("G05", "K3", "未在承诺时限内办结", 1, "1", Level.DISTRICT, date(2020, 5, 14)),
    ("G07", "K2", "办事群众投诉经查属实", 1, "2", Level.CITY, date(2020, 7, 2)),
    ("G10", "K1", "工作时间脱岗、串岗", 2, "1", Level.DISTRICT, date(2020, 4, 21)),
    ("G10", "K4", "服务态度生硬、推诿扯皮", 1, "1.5", Level.DISTRICT, date(2020, 9, 8)),
    ("S03", "K4", "服务态度生硬、推诿扯皮", 1, "1.5", Level.DISTRICT, date(2020, 6, 17)),
    ("Z04", "K5", "上级交办督办事项逾期未落实", 1, "3", Level.PROVINCE, date(2020, 10, 26)),
    ("Z05", "K3", "未在承诺时限内办结", 2, "1", Level.DISTRICT, date(2020, 11, 5)),
)

#: (category, points per item) — the illustrative positive-incentive standard.
BONUS_POINTS: tuple[tuple[int, str], ...] = (
    (1, "10"),
    (2, "5"),
    (3, "4"),
    (4, "5"),
    (5, "3"),
    (6, "2"),
)

#: (code, finding, points per occurrence) — the illustrative deduction standard (附件4).
DEDUCTION_STANDARD: tuple[tuple[str, str, str], ...] = (
    ("K1", "工作时间脱岗、串岗、做与工作无关的事(每人次)", "1"),
    ("K2", "办事群众投诉经查属实(每起)", "2"),
    ("K3", "未在承诺时限内办结(每件)", "1"),
    ("K4", "服务态度生硬、推诿扯皮(每起)", "1.5"),
    ("K5", "上级交办督办事项逾期未落实(每件)", "3"),
)

BONUS_CATEGORIES = {
    "1": {"cap": "10", "stack": True},
    "2": {"cap": "10", "stack": True},
    "3": {"cap": "8", "stack": True},
    "4": {"cap": "10", "stack": True},
    "5": {"cap": "6", "stack": True},
    "6": {"cap": "6", "stack": True},
}


#: 2019: each unit's form (per mille) that year. Differences from 2020 are chosen so that some
#: units clearly rose (文旅局 and 新民镇 were worse) and some fell (财政局, 大数据中心).
PREVIOUS_FORM: dict[str, int] = {
    "G01": 880, "G02": 905, "G03": 860, "G04": 870, "G05": 885, "G06": 850,
    "G07": 840, "G08": 845, "G09": 860, "G10": 690, "G11": 870,
    "S01": 870, "S02": 890, "S03": 900,
    "Z01": 900, "Z02": 860, "Z03": 845, "Z04": 700, "Z05": 835,
}  # fmt: skip

PREVIOUS_CITY_INCENTIVES: tuple[tuple[str, str, str], ...] = (
    ("G02", "3", "市对区绩效考评“项目攻坚”项目获评优秀"),
    ("S02", "2", "市对区绩效考评“放管服”改革项目排名靠前"),
)

PREVIOUS_BONUSES: tuple[tuple[str, int, str, str, bool], ...] = (
    ("G01", 6, "退役军人优待证申领工作获区委主要领导书面批示肯定", "2", True),
    ("G05", 4, "预算绩效管理工作获全省通报表扬", "4", True),
    ("S03", 5, "“一网通办”数据共享机制获全省创新成果评选第三名", "3", True),
)

PREVIOUS_DEDUCTIONS: tuple[tuple[str, str, str, int, str, Level, date], ...] = (
    ("G10", "K1", "工作时间脱岗、串岗", 3, "1", Level.DISTRICT, date(2019, 6, 12)),
    ("Z04", "K5", "上级交办督办事项逾期未落实", 2, "3", Level.CITY, date(2019, 9, 3)),
    ("G07", "K3", "未在承诺时限内办结", 1, "1", Level.DISTRICT, date(2019, 11, 20)),
)


@dataclass(frozen=True)
class YearSpec:
    """What differs between the demo years."""

    code: str
    name: str
    year: int
    phase: Phase
    forms: dict[str, int]  # unit code → form; missing: the unit's 2020 form
    city_incentives: tuple[tuple[str, str, str], ...]
    bonuses: tuple[tuple[str, int, str, str, bool], ...]
    deductions: tuple[tuple[str, str, str, int, str, Level, date], ...]
    tie: bool


CURRENT_YEAR = YearSpec(
    CYCLE_CODE,
    CYCLE_NAME,
    2020,
    Phase.ASSESSMENT,
    {},
    CITY_INCENTIVES,
    BONUSES,
    DEDUCTIONS,
    tie=True,
)
PREVIOUS_YEAR = YearSpec(
    PREVIOUS_CODE,
    PREVIOUS_NAME,
    2019,
    Phase.FINALIZED,
    PREVIOUS_FORM,
    PREVIOUS_CITY_INCENTIVES,
    PREVIOUS_BONUSES,
    PREVIOUS_DEDUCTIONS,
    tie=False,
)


# Accounts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    username: str
    display_name: str
    role: Role
    unit: str = ""  # unit code
    for_cycle: bool = False  # the membership holds for the demo cycle only
    is_staff: bool = False


ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("office", "王海涛(区效能督查办)", Role.OFFICE_ADMIN, "C03", is_staff=True),
    AccountSpec("operator", "林晓燕(区退役军人事务局办公室)", Role.UNIT_OPERATOR, BUREAU_CODE),
    AccountSpec("leader", "陈志强(区退役军人事务局局长)", Role.UNIT_LEADER, BUREAU_CODE),
    AccountSpec("reviewer1", "黄建国(区联合评估组)", Role.REVIEWER, for_cycle=True),
    AccountSpec("reviewer2", "吴秀英(区联合评估组)", Role.REVIEWER, for_cycle=True),
    AccountSpec("reviewer3", "郑文斌(区联合评估组)", Role.REVIEWER, for_cycle=True),
    AccountSpec("collector", "许明华(区司法局)", Role.COLLECTOR, "G11"),
    AccountSpec("inspector", "蔡晓峰(督查员)", Role.INSPECTOR, "C03"),
    AccountSpec("viewer", "刘振华(区领导)", Role.VIEWER),
)
REVIEWERS = ("reviewer1", "reviewer2", "reviewer3")


# Loading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadSummary:
    units: int
    indicators: int
    review_scores: int
    collection_values: int
    accounts_created: int


def demo_cycle() -> Cycle | None:
    return Cycle.objects.filter(code=CYCLE_CODE).first()


def _check(obj: _M) -> _M:
    """Field validation (decimal places, ranges) and the model's own rules, without the
    per-row foreign-key and uniqueness queries that would make the load slow."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.clean_fields(exclude=relations)
    obj.clean()
    return obj


def _score(points: Decimal, form: int, rng: random.Random, spread: int = 35) -> Decimal:
    """A judgement near ``form`` per mille of ``points``, in half points as reviewers give them."""
    share = min(1000, form + rng.randint(-spread, spread))
    halves = (points * share * 2 / 1000).quantize(Decimal(1), ROUND_HALF_UP)
    return min(points, halves * _HALF)


def _findings(points: Decimal, per_finding: Decimal, form: int, rng: random.Random) -> int:
    expected = points * (1000 - form) / 1000 / per_finding
    return int((expected * rng.randint(30, 120) / 100).quantize(Decimal(1), ROUND_HALF_UP))


def _percent(form: int, rng: random.Random) -> Decimal:
    shortfall = Decimal((1000 - form) * rng.randint(30, 90)) / 1000
    return max(Decimal(50), (100 - shortfall).quantize(_CENT, ROUND_HALF_UP))


def _public(form: int, rng: random.Random) -> Decimal:
    cents = 82000 + (form - 750) * 60 + rng.randint(-1500, 1500)
    return Decimal(max(82000, min(95000, cents))) / 100


def load_demo(*, reset: bool = False) -> LoadSummary | None:
    """Load the demo cycle 2020 and its previous year 2019, then compute their results.

    Returns ``None`` (and changes nothing) when the cycle 2020 exists and ``reset`` is false;
    with ``reset`` the existing cycles ``2020`` and ``2019`` and everything in them are deleted
    first. Units and accounts are reused when they exist (matched by code and username);
    accounts created here, or all demo accounts on ``reset``, get ``DEMO_PASSWORD``. 2019 is
    finalized after its results are computed. Writes one audit entry per year, and one for the
    finalization. The summary is that of 2020.
    """
    from jixiao.scoring.services import recompute_cycle

    with transaction.atomic():
        existing = Cycle.objects.select_for_update().filter(code=CYCLE_CODE).first()
        if existing is not None and not reset:
            return None
        for old in Cycle.objects.filter(code__in=[CYCLE_CODE, PREVIOUS_CODE]):
            # Participation → group is protected; the cycle's cascade would trip over it.
            Participation.objects.filter(cycle=old).delete()
            old.delete()
        cycle, summary = _load(reset=reset, year=CURRENT_YEAR)
        previous, _previous_summary = _load(reset=reset, year=PREVIOUS_YEAR)
    recompute_cycle(cycle=cycle, reason="示例数据载入")
    recompute_cycle(cycle=previous, reason="示例数据载入")
    # A demo year that is already over: finalized directly (the phase workflow moves one step
    # at a time and would need five audited moves that say nothing about the data).
    Cycle.objects.filter(pk=previous.pk).update(phase=PREVIOUS_YEAR.phase)
    record_audit(
        by=None,
        action="change_phase",
        obj=previous,
        cycle_code=previous.code,
        old={"phase": Phase.ASSESSMENT},
        new={"phase": PREVIOUS_YEAR.phase},
        reason="示例数据:上一年度已定档",
    )
    return summary


def _load(*, reset: bool, year: YearSpec) -> tuple[Cycle, LoadSummary]:
    # The same seed for every year: the trees are drawn first, so each year gets the same
    # trees; the scores then differ through the units' form of that year.
    rng = random.Random(SEED)
    cycle = Cycle(
        code=year.code,
        name=year.name,
        phase=Phase.ASSESSMENT,
        bonus_categories=BONUS_CATEGORIES,
        bonus_total_cap=Decimal(30),
        multiplier_district=Decimal(1),
        multiplier_city=Decimal(2),
        multiplier_province=Decimal(2),
    )
    cycle.full_clean(validate_unique=False)
    cycle.save()

    units = _units()
    assessed = [spec for group in GROUPS for spec in group.units]
    for order, group_spec in enumerate(GROUPS):
        group = RankingGroup.objects.create(
            cycle=cycle, code=group_spec.code, name=group_spec.name, order=order
        )
        Participation.objects.bulk_create(
            Participation(cycle=cycle, unit=units[spec.code], group=group)
            for spec in group_spec.units
        )

    common = _create_tree(cycle, None, COMMON_TREE, units, year=year.year)
    trees: dict[str, list[tuple[LeafSpec, Indicator]]] = {}
    for spec in assessed:
        areas = BUREAU_TREE if spec.code == BUREAU_CODE else generated_tree(spec.code, rng)
        trees[spec.code] = _create_tree(cycle, units[spec.code], areas, units, year=year.year)
    _check_trees(cycle)

    accounts, created = _accounts(cycle, units, reset=reset)
    reviewers = [accounts[name] for name in REVIEWERS]
    reviews: list[ReviewScore] = []
    values: list[CollectionValue] = []
    for spec in assessed:
        unit = units[spec.code]
        for leaf, indicator in trees[spec.code] + common:
            form = year.forms.get(spec.code, spec.form)
            reviews += _reviews(cycle, unit, leaf, indicator, reviewers, form, rng)
            value = _collection_value(cycle, unit, leaf, indicator, form, rng)
            if value is not None:
                values.append(value)
    ReviewScore.objects.bulk_create(reviews, batch_size=500)
    CollectionValue.objects.bulk_create(values, batch_size=500)
    _adjustments(cycle, units, assessed, rng, year)
    if year.tie:
        _make_tie(cycle, units)

    summary = LoadSummary(
        units=len(units),
        indicators=Indicator.objects.filter(cycle=cycle).count(),
        review_scores=len(reviews),
        collection_values=len(values),
        accounts_created=created,
    )
    record_audit(
        by=None,
        action="seed_demo",
        obj=cycle,
        cycle_code=cycle.code,
        new={
            "indicators": summary.indicators,
            "review_scores": summary.review_scores,
            "collection_values": summary.collection_values,
        },
        reason="载入示例数据" if not reset else "重新载入示例数据",
    )
    return cycle, summary


def _units() -> dict[str, Unit]:
    specs = [spec for group in GROUPS for spec in group.units] + list(COLLECTION_UNITS)
    existing = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in specs])}
    missing = [
        _check(Unit(code=s.code, name=s.name, short_name=s.short_name))
        for s in specs
        if s.code not in existing
    ]
    for unit in Unit.objects.bulk_create(missing):
        existing[unit.code] = unit
    return existing


def _create_tree(
    cycle: Cycle,
    unit: Unit | None,
    areas: Sequence[AreaSpec],
    units: dict[str, Unit],
    *,
    year: int = 2020,
) -> list[tuple[LeafSpec, Indicator]]:
    tree = Tree.PERFORMANCE if unit is not None else Tree.SELF_CONSTRUCTION
    parents = Indicator.objects.bulk_create(
        _check(
            Indicator(
                cycle=cycle,
                tree=tree,
                unit=unit,
                code=area.code,
                name=area.name,
                order=order,
                points=area.points,
            )
        )
        for order, area in enumerate(areas)
    )
    leaves: list[tuple[LeafSpec, Indicator]] = []
    order = len(parents)
    for parent, area in zip(parents, areas, strict=True):
        for leaf in area.leaves:
            order += 1
            indicator = Indicator(
                cycle=cycle,
                tree=tree,
                unit=unit,
                parent=parent,
                code=leaf.code,
                name=leaf.name,
                order=order,
                points=leaf.points,
                method=leaf.method,
                aggregation=leaf.aggregation,
                points_per_finding=leaf.per_finding,
                completion_points=leaf.completion,
                progress_points=leaf.progress,
                source=leaf.source,
                source_detail=leaf.source_detail,
                target=leaf.target,
                rule=leaf.rule,
                collection_unit=units[leaf.collection_unit] if leaf.collection_unit else None,
                responsible_office=leaf.office,
                responsible_person=leaf.person,
                deadline=_in_year(leaf.deadline, year),
            )
            leaves.append((leaf, _check(indicator)))
    Indicator.objects.bulk_create([indicator for _, indicator in leaves])
    return leaves


def _in_year(day: date | None, year: int) -> date | None:
    """The tables' 2020 deadlines moved to the cycle's year."""
    return day.replace(year=year) if day is not None else None


def _check_trees(cycle: Cycle) -> None:
    """Refuse to load a tree that would not activate (a mistake in the tables above)."""
    from jixiao.indicators.selectors import cycle_trees
    from jixiao.scoring.engine import validate_tree

    trees = cycle_trees(cycle=cycle)
    problems = []
    if trees.self_construction is not None:
        problems += validate_tree(trees.self_construction, cycle.self_construction_total)
    for root in trees.performance.values():
        problems += validate_tree(root, cycle.performance_total)
    if problems:
        raise ValueError("; ".join(p.message for p in problems))


def _accounts(cycle: Cycle, units: dict[str, Unit], *, reset: bool) -> tuple[dict[str, User], int]:
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
    users: dict[str, User] = {}
    created = 0
    for spec in ACCOUNTS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, password=password)
            created += 1
        elif reset:
            user.password = password
        user.display_name = spec.display_name
        user.is_staff = user.is_staff or spec.is_staff
        user.is_active = True
        user.save()
        Membership.objects.get_or_create(
            user=user,
            role=spec.role,
            unit=units[spec.unit] if spec.unit else None,
            cycle=cycle if spec.for_cycle else None,
        )
        users[spec.username] = user
    return users, created


def _reviews(
    cycle: Cycle,
    unit: Unit,
    leaf: LeafSpec,
    indicator: Indicator,
    reviewers: Sequence[User],
    form: int,
    rng: random.Random,
) -> list[ReviewScore]:
    if leaf.method == Method.JUDGEMENT:
        parts = [(Part.TOTAL, leaf.points)]
    elif leaf.method == Method.COMPLETION_PROGRESS:
        assert leaf.completion is not None and leaf.progress is not None
        parts = [(Part.COMPLETION, leaf.completion), (Part.PROGRESS, leaf.progress)]
    else:
        return []
    return [
        _check(
            ReviewScore(
                cycle=cycle,
                unit=unit,
                indicator=indicator,
                reviewer=reviewer,
                part=part,
                score=_score(points, form, rng),
            )
        )
        for part, points in parts
        for reviewer in reviewers
    ]


def _collection_value(
    cycle: Cycle, unit: Unit, leaf: LeafSpec, indicator: Indicator, form: int, rng: random.Random
) -> CollectionValue | None:
    value = CollectionValue(cycle=cycle, unit=unit, indicator=indicator)
    if leaf.method == Method.DEDUCTION:
        assert leaf.per_finding is not None
        value.finding_count = _findings(leaf.points, leaf.per_finding, form, rng)
        value.note = f"全年发现问题{value.finding_count}起"
    elif leaf.method == Method.RATIO and leaf.code in ("6.1", "4.2"):
        # Counted items (petitions, audit findings): a whole number of items done.
        value.target = Decimal(rng.randint(12, 60))
        done = (value.target * _percent(form, rng) / 100).quantize(Decimal(1), ROUND_HALF_UP)
        value.actual = min(value.target, done)
        value.note = f"{leaf.measure}: {value.actual} ÷ {value.target}"
    elif leaf.method == Method.RATIO:
        value.target = Decimal(100)
        value.actual = _percent(form, rng)
        value.note = f"{leaf.measure}: {value.actual}%"
    else:
        return None
    return _check(value)


def _adjustments(
    cycle: Cycle,
    units: dict[str, Unit],
    assessed: Sequence[UnitSpec],
    rng: random.Random,
    year: YearSpec,
) -> None:
    CityIncentive.objects.bulk_create(
        _check(CityIncentive(cycle=cycle, unit=units[code], points=Decimal(points), source=source))
        for code, points, source in year.city_incentives
    )
    BonusStandard.objects.bulk_create(
        _check(BonusStandard(cycle=cycle, category=category, points=Decimal(points)))
        for category, points in BONUS_POINTS
    )
    standards = {
        s.code: s
        for s in DeductionStandard.objects.bulk_create(
            _check(DeductionStandard(cycle=cycle, code=code, description=text, points=Decimal(p)))
            for code, text, p in DEDUCTION_STANDARD
        )
    }
    AdjustmentRules.objects.create(cycle=cycle, answer_days=7)
    # Every bonus and deduction of the demo comes from a decided claim or a confirmed finding,
    # as it would after a year of work; the engine reads the items, the pages the claims.
    items = BonusItem.objects.bulk_create(
        _check(
            BonusItem(
                cycle=cycle,
                unit=units[code],
                category=category,
                title=title,
                points=Decimal(points),
                approved=True,
            )
        )
        for code, category, title, points, approved in year.bonuses
        if approved
    )
    counted = iter(items)
    claims = []
    for code, category, title, points, approved in year.bonuses:
        claims.append(
            BonusClaim(
                cycle=cycle,
                unit=units[code],
                category=category,
                title=title,
                authority="(示例数据)",
                document_no="",
                issued_on=date(year.year, 10, 1),
                claimed_points=Decimal(dict(BONUS_POINTS).get(category, points)),
                approved_points=Decimal(points) if approved else None,
                state=ClaimState.APPROVED if approved else ClaimState.REJECTED,
                decision_reason="" if approved else "佐证材料不全",
                item=next(counted) if approved else None,
            )
        )
    BonusClaim.objects.bulk_create(claims)
    deductions = DeductionItem.objects.bulk_create(
        _check(
            DeductionItem(
                cycle=cycle,
                unit=units[code],
                standard_code=standard,
                description=description,
                count=count,
                points=Decimal(points),
                level=level,
                found_on=found_on,
            )
        )
        for code, standard, description, count, points, level, found_on in year.deductions
    )
    for item, (code, standard, description, count, _p, level, found_on) in zip(
        deductions, year.deductions, strict=True
    ):
        inspection = Inspection.objects.create(
            cycle=cycle,
            held_on=found_on,
            place=f"{units[code].name}(示例数据)",
            kind=InspectionKind.UNANNOUNCED,
            level=level,
            inspectors="区效能督查办察访组" if level == Level.DISTRICT else "上级察访组",
        )
        Finding.objects.create(
            inspection=inspection,
            cycle=cycle,
            unit=units[code],
            standard=standards[standard],
            count=count,
            description=description,
            state=FindingState.CONFIRMED,
            answer_due=found_on + timedelta(days=7),
            item=item,
        )
    PublicScore.objects.bulk_create(
        _check(
            PublicScore(
                cycle=cycle,
                unit=units[spec.code],
                score=_public(year.forms.get(spec.code, spec.form), rng),
                responses=rng.randint(120, 400),
                source=f"{year.year}年度公众评议问卷(示例数据)",
            )
        )
        for spec in assessed
    )


def _make_tie(cycle: Cycle, units: dict[str, Unit]) -> None:
    """Set the second unit's public score so that both units of ``TIE`` end on the same
    composite. The formula is linear in ``public``, so its weight is read off the formula."""
    from jixiao.scoring.engine import evaluate_unit
    from jixiao.scoring.formula import compile_formula
    from jixiao.scoring.rounding import quantize
    from jixiao.scoring.selectors import load_inputs

    leader, follower = (units[code] for code in TIE)
    scheme = cycle.scheme()
    formula = compile_formula(scheme.formula)
    loaded = dict(load_inputs(cycle=cycle, unit_ids=[leader.pk, follower.pk]))
    target = evaluate_unit(loaded[leader.pk], scheme, formula, explain=False).composite
    components = dict(evaluate_unit(loaded[follower.pk], scheme, formula, explain=False).components)
    components["public"] = Decimal(0)
    base = formula.evaluate(components)
    components["public"] = Decimal(1)
    weight = formula.evaluate(components) - base
    public = quantize((target - base) / weight, scheme.precision)
    components["public"] = public
    if (
        Decimal(0) <= public <= scheme.scale
        and quantize(formula.evaluate(components), scheme.precision) == target
    ):
        PublicScore.objects.filter(cycle=cycle, unit=follower).update(score=public)
